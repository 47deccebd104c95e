/**
 * zstd through the WebAssembly build of `@bokuweb/zstd-wasm`.
 *
 * Node 20 has no built-in zstd and native builds need a C++ toolchain at
 * install time, so the WASM build is used everywhere (CLI, worker, app).
 * `ensureZstd()` must be awaited once before `zstdCompress`/`zstdDecompress`.
 */
import { compress, decompress, init } from '@bokuweb/zstd-wasm'

import { CoralError } from '../errors.js'

let ready: Promise<void> | undefined

/** Loads the WASM module once per process. */
export function ensureZstd(): Promise<void> {
  ready ??= init()
  return ready
}

/** The compression level used for stored objects (zstd's default). */
export const ZSTD_LEVEL = 3

/** Compresses `data`; the frame records its content size. */
export function zstdCompress(data: Uint8Array, level = ZSTD_LEVEL): Uint8Array {
  if (data.length === 0) {
    return new Uint8Array(0)
  }
  return compress(data, level)
}

/**
 * Decompresses a frame and checks it expands to exactly `expectedLength` bytes.
 *
 * The expected length comes from the object header, so a damaged frame that
 * decodes to the wrong size is reported instead of returned.
 */
export function zstdDecompress(frame: Uint8Array, expectedLength: number): Uint8Array {
  if (expectedLength === 0 && frame.length === 0) {
    return new Uint8Array(0)
  }
  let out: Uint8Array
  try {
    out = decompress(frame)
  } catch (error) {
    throw new CoralError('ObjectCorrupt', `zstd frame cannot be decoded: ${String(error)}`)
  }
  if (out.length !== expectedLength) {
    throw new CoralError(
      'ObjectCorrupt',
      `zstd frame decoded to ${out.length} bytes, expected ${expectedLength}`,
    )
  }
  return out
}
