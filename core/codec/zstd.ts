/**
 * zstd through the WebAssembly build of `@bokuweb/zstd-wasm`.
 *
 * Node 20 has no built-in zstd and native builds need a C++ toolchain at
 * install time, so the WASM build is used everywhere (CLI, worker, app).
 * `ensureZstd()` must be awaited once before `zstdCompress`/`zstdDecompress`.
 */
import {
  compressUsingDict,
  createCCtx,
  createDCtx,
  decompressUsingDict,
  init,
} from '@bokuweb/zstd-wasm'

import { CoralError } from '../errors.js'

let ready: Promise<void> | undefined

/**
 * One compression and one decompression context for the process, reused by
 * every call. The library's plain `compress`/`decompress` create and free a
 * context per call, which cost a third of the time on 64 KB planes and half
 * on small ones; the frames are the same byte for byte. (The "dictionary"
 * calls are the library's only ones that take a context; an empty
 * dictionary is no dictionary.)
 */
let contexts: { compress: number; decompress: number } | undefined
const NO_DICTIONARY = new Uint8Array(0)

/** Loads the WASM module once per process. */
export function ensureZstd(): Promise<void> {
  ready ??= init().then(() => {
    contexts = { compress: createCCtx(), decompress: createDCtx() }
  })
  return ready
}

function loaded(): { compress: number; decompress: number } {
  if (contexts === undefined) {
    throw new CoralError('Internal', 'zstd used before ensureZstd() finished')
  }
  return contexts
}

/** The compression level used for stored objects (zstd's default). */
export const ZSTD_LEVEL = 3

/** Compresses `data`; the frame records its content size. */
export function zstdCompress(data: Uint8Array, level = ZSTD_LEVEL): Uint8Array {
  if (data.length === 0) {
    return new Uint8Array(0)
  }
  return compressUsingDict(loaded().compress, data, NO_DICTIONARY, level)
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
  // The library allocates what the frame header declares before it decodes:
  // a damaged header must not choose that size.
  const declared = frameContentSize(frame)
  if (declared !== expectedLength) {
    throw new CoralError(
      'ObjectCorrupt',
      `zstd frame declares ${declared ?? 'no'} content size, expected ${expectedLength} bytes`,
    )
  }
  let out: Uint8Array
  try {
    out = decompressUsingDict(loaded().decompress, frame, NO_DICTIONARY)
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

const FRAME_MAGIC = 0xfd2fb528

/**
 * The content size a zstd frame header declares (RFC 8878, 3.1.1.1), or
 * undefined when the header is malformed or declares none. Coral's frames
 * always declare it.
 */
export function frameContentSize(frame: Uint8Array): number | undefined {
  if (frame.length < 6) return undefined
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
  if (view.getUint32(0, true) !== FRAME_MAGIC) return undefined
  const descriptor = frame[4]!
  const sizeFlag = descriptor >>> 6
  const singleSegment = (descriptor & 0x20) !== 0
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 0x03]!
  const fieldBytes = [singleSegment ? 1 : 0, 2, 4, 8][sizeFlag]!
  const at = 5 + (singleSegment ? 0 : 1) + dictionaryBytes
  if (fieldBytes === 0 || at + fieldBytes > frame.length) return undefined
  switch (fieldBytes) {
    case 1:
      return view.getUint8(at)
    case 2:
      return view.getUint16(at, true) + 256
    case 4:
      return view.getUint32(at, true)
    default: {
      const size = view.getBigUint64(at, true)
      return size <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(size) : undefined
    }
  }
}
