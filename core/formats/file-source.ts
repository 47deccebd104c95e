import { readSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'

import { malformed } from './format-errors.js'

/**
 * A read-only file opened for reads at offsets.
 *
 * Readers use it so that a weight file is never loaded whole: each read asks
 * for a bounded range, and a range past the end of the file is a
 * `MalformedFile` error instead of a short read.
 */
export class FileSource {
  /** The path as the caller gave it; used in error messages. */
  readonly file: string
  /** File size in bytes, taken when the file was opened. */
  readonly size: number
  private readonly handle: FileHandle

  private constructor(file: string, handle: FileHandle, size: number) {
    this.file = file
    this.handle = handle
    this.size = size
  }

  /** Opens `file` for reading. */
  static async open(file: string): Promise<FileSource> {
    const handle = await open(file, 'r')
    try {
      const stat = await handle.stat()
      return new FileSource(file, handle, stat.size)
    } catch (error) {
      await handle.close()
      throw error
    }
  }

  /**
   * Reads exactly `length` bytes at `offset`.
   *
   * `what` names the part being read, for the error raised when the range
   * lies outside the file.
   */
  async read(offset: number, length: number, what: string): Promise<Uint8Array> {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > this.size
    ) {
      throw malformed(
        this.file,
        `${what} (bytes ${offset}..${offset + length}) lies outside the file (${this.size} bytes)`,
      )
    }
    const out = new Uint8Array(length)
    let done = 0
    while (done < length) {
      // A synchronous read: weight files are usually in the page cache, where a
      // trip through libuv's thread pool costs more than the copy itself (it
      // was a quarter of ingest time on zoo/lm+ft). Readers ask for one tensor
      // at a time, so the event loop waits at most one tensor's read.
      const bytesRead = readSync(this.handle.fd, out, done, length - done, offset + done)
      if (bytesRead === 0) {
        // The file shrank while we read it.
        throw malformed(this.file, `${what} was cut short: the file changed while being read`)
      }
      done += bytesRead
    }
    return out
  }

  /** Closes the file; safe to call twice. */
  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined)
  }
}
