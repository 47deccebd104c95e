import { CoralError } from '../errors.js'

/** Longest tensor name accepted, in UTF-8 bytes. */
export const MAX_TENSOR_NAME_BYTES = 1024

/**
 * Builds the `MalformedFile` error every reader raises for bad input.
 *
 * The message is one line, `<file>: <problem>`, so the CLI can print it as is.
 */
export function malformed(
  file: string,
  problem: string,
  data: Record<string, unknown> = {},
  cause?: unknown,
): CoralError {
  return new CoralError(
    'MalformedFile',
    `${file}: ${oneLine(problem)}`,
    { file, ...data },
    cause === undefined ? undefined : { cause },
  )
}

/** Builds the `Unsupported` error for a valid file that uses something Coral cannot store. */
export function unsupported(
  file: string,
  problem: string,
  data: Record<string, unknown> = {},
): CoralError {
  return new CoralError('Unsupported', `${file}: ${oneLine(problem)}`, { file, ...data })
}

/**
 * Rejects a tensor name that Coral cannot store.
 *
 * Names must be non-empty, hold no NUL character and fit in `MAX_TENSOR_NAME_BYTES`
 * UTF-8 bytes; anything else raises `MalformedFile`.
 */
export function checkTensorName(file: string, name: string): void {
  if (name.length === 0) {
    throw malformed(file, 'a tensor has an empty name')
  }
  if (name.includes('\0')) {
    throw malformed(file, `tensor name ${quote(name)} contains a NUL character`)
  }
  const bytes = Buffer.byteLength(name, 'utf8')
  if (bytes > MAX_TENSOR_NAME_BYTES) {
    throw malformed(
      file,
      `tensor name ${quote(name.slice(0, 40))}... is ${bytes} bytes (limit ${MAX_TENSOR_NAME_BYTES})`,
    )
  }
}

/** Quotes a name for an error message, keeping it on one line and short. */
export function quote(name: string): string {
  const shown = name.length > 80 ? `${name.slice(0, 80)}...` : name
  return JSON.stringify(shown)
}

// Messages must stay one line even when they quote hostile input.
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ')
}
