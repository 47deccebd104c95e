/**
 * Reading a file that may legitimately be absent.
 *
 * Only "there is no such file" means absent. Any other failure (EIO from a
 * failing disk, EACCES, EMFILE) is raised, never taken for absence: a branch
 * ref that cannot be read is not an unborn branch, and a journal that cannot
 * be read is not a finished migration (docs/RELIABILITY.md, R7).
 */
import { readFileSync } from 'node:fs'

import { CoralError } from '../errors.js'

/** True for the errors that mean the file (or a folder above it) does not exist. */
export function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/**
 * The file's text, or undefined when it does not exist; other errors are thrown.
 *
 * For small metadata files (refs, staging, journal, lock): read synchronously,
 * because an asynchronous read is four thread-pool round trips (open, stat,
 * read, close), about 1 ms on a 2-core machine against tens of microseconds
 * for the read itself, and a commit makes several.
 */
export async function readTextIfPresent(file: string): Promise<string | undefined> {
  try {
    return readFileSync(file, 'utf8')
  } catch (error) {
    if (isMissing(error)) return undefined
    throw error
  }
}

/**
 * For `.catch()` on a read whose failure may be skipped when the object is
 * missing or damaged (validate reports those): returns undefined for a
 * `CoralError` other than `IoError`, and rethrows anything else. An I/O error
 * says nothing about the object, so skipping it could, for example, let gc
 * drop a delta base that is still needed (docs/RELIABILITY.md, R8).
 */
export function undefinedIfDamaged(error: unknown): undefined {
  if (error instanceof CoralError && error.code !== 'IoError') return undefined
  throw error
}
