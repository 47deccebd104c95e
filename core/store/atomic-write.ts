/**
 * Atomic file replacement: temporary file, flush, rename.
 *
 * A reader (or a process killed mid-write) sees either the old file or the
 * complete new one, never a prefix. Temporary files are named
 * `.tmp-<pid>-<random>-<name>` in the destination folder so that `validate`
 * can recognise and remove the leftovers of a killed writer.
 */
import { randomBytes } from 'node:crypto'
import { closeSync, fsync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'

/** The prefix of every temporary file Coral writes. */
export const TEMP_PREFIX = '.tmp-'

/**
 * Writes `data` to `target` atomically, creating the parent folder unless
 * `parentExists` says it is already there.
 *
 * Every step but the flush is a synchronous call: a commit makes about six
 * of these writes, and a thread-pool round trip per step (mkdir, open,
 * write, close, rename) cost more than the steps themselves on small files.
 * The flush waits on the disk, so it runs in the thread pool, where the
 * flushes of concurrent writes (a migration's objects) overlap.
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
    await flush(fd)
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

const flush = promisify(fsync)

function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // The write already failed; that error is the one to report.
  }
}
