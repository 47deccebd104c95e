/**
 * Turns a failed request into a sentence a person can act on.
 *
 * The core rejects with a revived `CoralError` whose `code` says what kind of
 * failure it was; its `message` holds the specifics (paths, ids). The banner
 * shows our sentence (what it means and what to do next) with the core's
 * message underneath.
 */
import type { ErrorCode } from '../../core/errors'

/** Codes a bridge may use when the core itself is unreachable. */
export const CONNECTION_CODES = ['ConnectionLost', 'Disconnected', 'NotConnected'] as const

/** A code from the core, or one of the bridge's connection codes. */
export type FailureCode = ErrorCode | (typeof CONNECTION_CODES)[number] | 'Unknown'

/** What the error banner shows. */
export interface ErrorDescription {
  code: FailureCode
  /** `info` for outcomes the user asked for (a cancel), `error` otherwise. */
  severity: 'info' | 'error'
  /** What happened and what to do next, in one or two sentences. */
  advice: string
  /** The core's own message, with the specifics. */
  detail: string
}

const ADVICE: Record<FailureCode, string> = {
  InvalidArgument: 'A value was rejected. Check the form fields and try again.',
  NotARepository:
    'This folder is not a Coral repository. Choose the folder that contains the .coral directory, or open the demo repository.',
  AlreadyExists: 'A repository already exists there. Open it instead of creating a new one.',
  NotFound:
    'The item no longer exists; it may have been removed by another process. Refresh the view and try again.',
  InvalidRef: 'The branch, tag or commit name could not be resolved. Check the name and try again.',
  RepoLocked:
    'Another Coral process is writing to this repository. Wait for it to finish or close it, then try again.',
  ObjectCorrupt:
    'A stored object is damaged. Open Status and run Validate to locate it; restore a backup if it cannot be fixed.',
  MalformedFile:
    'A file could not be read because it is malformed. The details below name the file; nothing was changed.',
  Unsupported:
    'This file format or data type is not supported by Coral. The details below say which one.',
  NothingToCommit: 'There is nothing staged to commit.',
  AlreadyMigrated:
    'This repository is already migrated. Tick "Force" to migrate it again with the new settings.',
  ValidationFailed:
    'Validation found problems it could not repair. Restore a backup from the Backups screen, or run Validate on the Status screen, then "Fix problems".',
  IoError:
    'A disk operation failed (the disk may be full or a permission missing). Free space or fix permissions, then try again.',
  Cancelled:
    'The operation was cancelled. The repository is consistent; run the operation again to resume or start over.',
  Internal:
    'Coral hit an internal error, which is a bug. Try again; if it repeats, report it with the details below.',
  ConnectionLost:
    'The connection to the Coral core was lost. Wait for it to reconnect (or restart Coral), then retry.',
  Disconnected:
    'The connection to the Coral core was lost. Wait for it to reconnect (or restart Coral), then retry.',
  NotConnected:
    'Coral is not connected to its core yet. Wait for it to connect (or restart Coral), then retry.',
  Unknown:
    'Something unexpected failed. Try again; if it repeats, report it with the details below.',
}

/** Describes any thrown value; values without a known `code` count as `Unknown`. */
export function describeError(error: unknown): ErrorDescription {
  const rawCode = (error as { code?: unknown } | null)?.code
  const code: FailureCode =
    typeof rawCode === 'string' && Object.hasOwn(ADVICE, rawCode)
      ? (rawCode as FailureCode)
      : 'Unknown'
  const detail =
    error instanceof Error
      ? error.message
      : typeof (error as { message?: unknown } | null)?.message === 'string'
        ? (error as { message: string }).message
        : String(error)
  return {
    code,
    severity: code === 'Cancelled' ? 'info' : 'error',
    advice: ADVICE[code],
    detail,
  }
}

/** True when the error is the `Cancelled` outcome of a cancel request. */
export function isCancelled(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'Cancelled'
}
