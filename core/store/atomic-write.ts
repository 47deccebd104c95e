/**
 * Atomic file replacement: temporary file, flush, rename.
 *
 * A reader (or a process killed mid-write) sees either the old file or the
 * complete new one, never a prefix. Temporary files are named
 * `.tmp-<pid>-<random>-<name>` in the destination folder so that `validate`
 * can recognise and remove the leftovers of a killed writer.
 */
import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'

/** The prefix of every temporary file Coral writes. */
export const TEMP_PREFIX = '.tmp-'

/**
 * Writes `data` to `target` atomically, creating the parent folder unless
 * `parentExists` says it is already there.
 *
 * The steps are synchronous calls: a commit makes about six of these writes,
 * and six thread-pool round trips per write (mkdir, open, write, fsync,
 * close, rename) cost more than the writes themselves on small files. The
 * wait for fsync is the same either way.
 */
export async function writeFileAtomic(
  target: string,
  data: Uint8Array | string,
  options: { parentExists?: boolean } = {},
): Promise<void> {
  const dir = path.dirname(target)
  if (!options.parentExists) {
    mkdirSync(dir, { recursive: true })
  }
  const temp = path.join(
    dir,
    `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}-${path.basename(target)}`,
  )
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  const fd = openSync(temp, 'w')
  try {
    for (let offset = 0; offset < bytes.length;) {
      offset += writeSync(fd, bytes, offset, bytes.length - offset)
    }
    fsyncSync(fd)
  } catch (error) {
    closeQuietly(fd)
    rmSync(temp, { force: true })
    throw error
  }
  closeSync(fd)
  try {
    renameSync(temp, target)
  } catch (error) {
    rmSync(temp, { force: true })
    throw error
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // The write already failed; that error is the one to report.
  }
}
