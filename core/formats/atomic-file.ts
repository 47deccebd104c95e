import { randomBytes } from 'node:crypto'
import { open, rename, unlink, type FileHandle } from 'node:fs/promises'
import path from 'node:path'

/**
 * Writes a file so that readers see either the old file or the whole new one.
 *
 * `fill` writes into `<target>.tmp-<pid>-<rand>`; the temporary file is then
 * flushed to disk, closed and renamed over `target`, and the folder is flushed
 * so the rename itself survives a crash. On any error the temporary file is
 * removed and `target` is left untouched.
 */
export async function writeFileAtomic(
  target: string,
  fill: (handle: FileHandle) => Promise<void>,
): Promise<void> {
  const temp = `${target}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`
  const handle = await open(temp, 'wx')
  let renamed = false
  try {
    await fill(handle)
    await handle.sync()
    await handle.close()
    await rename(temp, target)
    renamed = true
    await syncFolder(path.dirname(target))
  } catch (error) {
    await handle.close().catch(() => undefined)
    if (!renamed) {
      await unlink(temp).catch(() => undefined)
    }
    throw error
  }
}

/** Writes all of `bytes` at the handle's current position. */
export async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done)
    done += bytesWritten
  }
}

// Some file systems refuse to open or fsync a folder; the rename is still done.
async function syncFolder(folder: string): Promise<void> {
  let dir: FileHandle | undefined
  try {
    dir = await open(folder, 'r')
    await dir.sync()
  } catch {
    // Best effort only.
  } finally {
    await dir?.close().catch(() => undefined)
  }
}
