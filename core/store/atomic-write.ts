/**
 * Atomic file replacement: temporary file, flush, rename.
 *
 * A reader (or a process killed mid-write) sees either the old file or the
 * complete new one, never a prefix. Temporary files are named
 * `.tmp-<pid>-<random>-<name>` in the destination folder so that `validate`
 * can recognise and remove the leftovers of a killed writer.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import path from 'node:path'

/** The prefix of every temporary file Coral writes. */
export const TEMP_PREFIX = '.tmp-'

/**
 * Writes `data` to `target` atomically, creating the parent folder unless
 * `parentExists` says it is already there.
 */
export async function writeFileAtomic(
  target: string,
  data: Uint8Array | string,
  options: { parentExists?: boolean } = {},
): Promise<void> {
  const dir = path.dirname(target)
  if (!options.parentExists) {
    await mkdir(dir, { recursive: true })
  }
  const temp = path.join(
    dir,
    `${TEMP_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}-${path.basename(target)}`,
  )
  const handle = await open(temp, 'w')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (error) {
    await handle.close().catch(() => undefined)
    await rm(temp, { force: true })
    throw error
  }
  await handle.close()
  try {
    await rename(temp, target)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}
