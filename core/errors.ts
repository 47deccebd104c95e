/**
 * Typed errors of the Coral core.
 *
 * Every failure the core expects (bad input, a locked repository, a corrupt
 * object) is a `CoralError` with a literal `code`, structured `data`, and a
 * process exit status for the CLI. Errors cross process boundaries as
 * `SerializedError` and are revived with `reviveError`, so `err.code` checks
 * work in the CLI, the worker, Electron main and the renderer alike.
 * Anything that is not a `CoralError` is a bug and is reported as `Internal`.
 */

/** Every error code the core can raise, with its CLI exit status. */
export const ERROR_EXIT_CODES = {
  /** A command-line argument or API parameter is invalid. */
  InvalidArgument: 2,
  /** The path is not a Coral repository (no `.coral` folder). */
  NotARepository: 3,
  /** A repository already exists where `init` was asked to create one. */
  AlreadyExists: 3,
  /** A ref, tensor, commit, backup or cluster does not exist. */
  NotFound: 4,
  /** A ref name is malformed or cannot be resolved. */
  InvalidRef: 4,
  /** Another live process holds the repository's write lock. */
  RepoLocked: 5,
  /** A stored object does not hash to its id, or cannot be decoded. */
  ObjectCorrupt: 6,
  /** A weight file or foreign repository is malformed or hostile. */
  MalformedFile: 7,
  /** A file format, dtype or HDF5 filter that Coral cannot read. */
  Unsupported: 8,
  /** The staging area is empty and there is nothing to commit. */
  NothingToCommit: 9,
  /** The repository is already migrated and `--force` was not given. */
  AlreadyMigrated: 10,
  /** Validation found problems it did not (or could not) repair. */
  ValidationFailed: 11,
  /** A disk or file-system operation failed (disk full, permission, I/O). */
  IoError: 74,
  /** The operation was cancelled (Ctrl-C or an AbortSignal). */
  Cancelled: 130,
  /** An invariant broke: a bug in Coral. */
  Internal: 70,
} as const

/** A code from `ERROR_EXIT_CODES`. */
export type ErrorCode = keyof typeof ERROR_EXIT_CODES

/** The plain-object form of an error that crosses a process boundary. */
export interface SerializedError {
  code: ErrorCode
  message: string
  data: Record<string, unknown>
  stack?: string
}

/**
 * Base class of every expected failure.
 *
 * `message` is one sentence a user can act on; `data` carries the facts
 * (paths, ids, sizes) for programs.
 */
export class CoralError extends Error {
  readonly code: ErrorCode
  readonly data: Record<string, unknown>

  constructor(
    code: ErrorCode,
    message: string,
    data: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = `CoralError[${code}]`
    this.code = code
    this.data = data
  }

  /** The process exit status the CLI uses for this error. */
  get exitCode(): number {
    return ERROR_EXIT_CODES[this.code]
  }

  toJSON(): SerializedError {
    return {
      code: this.code,
      message: this.message,
      data: this.data,
      ...(this.stack === undefined ? {} : { stack: this.stack }),
    }
  }
}

/** Wraps any thrown value as a `CoralError` (unknown values become `Internal`). */
export function toCoralError(error: unknown): CoralError {
  if (error instanceof CoralError) {
    return error
  }
  if (isAbortError(error)) {
    return new CoralError('Cancelled', 'The operation was cancelled.')
  }
  const nodeCode = (error as { code?: unknown } | null)?.code
  if (typeof nodeCode === 'string' && IO_ERROR_CODES.has(nodeCode)) {
    const err = error as NodeJS.ErrnoException
    return new CoralError(
      'IoError',
      `${describeIoCode(nodeCode)}${err.path ? `: ${err.path}` : ''}`,
      { errno: nodeCode, path: err.path },
      { cause: error },
    )
  }
  const message = error instanceof Error ? error.message : String(error)
  const wrapped = new CoralError('Internal', `Internal error: ${message}`, {}, { cause: error })
  if (error instanceof Error && error.stack) {
    wrapped.stack = error.stack
  }
  return wrapped
}

/** Rebuilds a `CoralError` from its serialized form on the far side of IPC. */
export function reviveError(serialized: SerializedError): CoralError {
  const code = serialized.code in ERROR_EXIT_CODES ? serialized.code : 'Internal'
  const error = new CoralError(code, serialized.message, serialized.data ?? {})
  if (serialized.stack) {
    error.stack = serialized.stack
  }
  return error
}

/** Throws `Cancelled` when the signal has fired; call between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new CoralError('Cancelled', 'The operation was cancelled.')
  }
}

function isAbortError(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR')
  )
}

const IO_ERROR_CODES = new Set([
  'ENOSPC',
  'EIO',
  'EACCES',
  'EPERM',
  'EROFS',
  'EDQUOT',
  'EMFILE',
  'ENFILE',
  'EBUSY',
])

function describeIoCode(code: string): string {
  switch (code) {
    case 'ENOSPC':
      return 'No space left on the device'
    case 'EDQUOT':
      return 'Disk quota exceeded'
    case 'EIO':
      return 'Input/output error from the device'
    case 'EACCES':
    case 'EPERM':
      return 'Permission denied'
    case 'EROFS':
      return 'The file system is read-only'
    case 'EMFILE':
    case 'ENFILE':
      return 'Too many open files'
    default:
      return `File-system error ${code}`
  }
}
