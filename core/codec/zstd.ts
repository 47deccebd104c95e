/**
 * zstd for stored objects: the native library when it is installed, its
 * WebAssembly build otherwise.
 *
 * Node 20 has no built-in zstd. `zstd-napi` (an optional dependency, built
 * from its bundled C sources at install time) compresses about three times
 * faster than the WASM build of `@bokuweb/zstd-wasm`, which installs
 * anywhere. Both are zstd 1.5 and write the same standard frames, so a store
 * written with one reads with the other; only speed differs.
 * `CORAL_ZSTD=wasm` forces the WASM build (tests and benchmarks compare them).
 *
 * `ensureZstd()` must be awaited once before `zstdCompress`/`zstdDecompress`.
 */
import { createRequire } from 'node:module'

import {
  compressUsingDict,
  createCCtx,
  createDCtx,
  decompressUsingDict,
  init,
} from '@bokuweb/zstd-wasm'

import { CoralError } from '../errors.js'

/** Which library does the work. */
export type ZstdBackendName = 'native' | 'wasm'

/** One zstd library behind the calls below. */
export interface ZstdBackend {
  name: ZstdBackendName
  compress(data: Uint8Array, level: number): Uint8Array
  /** Decodes a whole frame into `into`, which has exactly the frame's content size; returns bytes written. */
  decompressInto(frame: Uint8Array, into: Uint8Array): number
}

let ready: Promise<void> | undefined
let backend: ZstdBackend | undefined

/** Loads a zstd library once per process: native unless missing or `CORAL_ZSTD=wasm`. */
export function ensureZstd(): Promise<void> {
  ready ??= (async () => {
    backend =
      (process.env.CORAL_ZSTD !== 'wasm' && (await loadZstdBackend('native'))) ||
      (await loadZstdBackend('wasm'))!
  })()
  return ready
}

/** The library in use, after `ensureZstd()`. */
export function zstdBackendName(): ZstdBackendName {
  return loaded().name
}

function loaded(): ZstdBackend {
  if (backend === undefined) {
    throw new CoralError('Internal', 'zstd used before ensureZstd() finished')
  }
  return backend
}

/**
 * A fresh instance of one library, or undefined when it is not installed.
 * The process-wide one comes from `ensureZstd()`; tests use this to check
 * that frames cross between the two.
 */
export async function loadZstdBackend(name: ZstdBackendName): Promise<ZstdBackend | undefined> {
  return name === 'native' ? loadNative() : await loadWasm()
}

/** The subset of zstd-napi's low-level binding used here. */
interface NativeBinding {
  CCtx: new () => { compress(dst: Uint8Array, src: Uint8Array, level: number): number }
  DCtx: new () => { decompress(dst: Uint8Array, src: Uint8Array): number }
  compressBound(size: number): number
}

/**
 * The native library, or undefined when it is not installed or did not
 * build (it is optional: a machine without a C++ toolchain still works).
 */
function loadNative(): ZstdBackend | undefined {
  let binding: NativeBinding
  try {
    binding = createRequire(import.meta.url)('zstd-napi/binding') as NativeBinding
  } catch {
    return undefined
  }
  const cctx = new binding.CCtx()
  const dctx = new binding.DCtx()
  // One scratch buffer for compressed output, grown as needed: the result
  // is copied out at its real size instead of keeping a worst-case buffer.
  let scratch = new Uint8Array(0)
  return {
    name: 'native',
    compress(data, level) {
      const bound = binding.compressBound(data.length)
      if (scratch.length < bound) scratch = new Uint8Array(bound)
      const written = cctx.compress(scratch, data, level)
      return scratch.slice(0, written)
    },
    decompressInto: (frame, into) => dctx.decompress(into, frame),
  }
}

async function loadWasm(): Promise<ZstdBackend> {
  await init()
  // One context per direction, reused: the library's plain `compress` and
  // `decompress` create and free a context per call, which cost a third of
  // the time on 64 KB planes. (Its "dictionary" calls are the only ones that
  // take a context; an empty dictionary is no dictionary.)
  const cctx = createCCtx()
  const dctx = createDCtx()
  const noDictionary = new Uint8Array(0)
  return {
    name: 'wasm',
    compress: (data, level) => compressUsingDict(cctx, data, noDictionary, level),
    decompressInto(frame, into) {
      const out = decompressUsingDict(dctx, frame, noDictionary)
      if (out.length !== into.length) return out.length
      into.set(out)
      return out.length
    },
  }
}

/** The compression level used for stored objects (zstd's default). */
export const ZSTD_LEVEL = 3

/** Compresses `data`; the frame records its content size. */
export function zstdCompress(data: Uint8Array, level = ZSTD_LEVEL): Uint8Array {
  if (data.length === 0) {
    return new Uint8Array(0)
  }
  return loaded().compress(data, level)
}

/**
 * Decompresses a frame and checks it expands to exactly `expectedLength`
 * bytes, into `into` when given (which must be that long).
 *
 * The expected length comes from the object header, so a damaged frame that
 * decodes to the wrong size is reported instead of returned.
 */
export function zstdDecompress(
  frame: Uint8Array,
  expectedLength: number,
  into?: Uint8Array,
): Uint8Array {
  if (expectedLength === 0 && frame.length === 0) {
    return new Uint8Array(0)
  }
  // Decoders size their output from the frame header: a damaged header must
  // not choose that size.
  const declared = frameContentSize(frame)
  if (declared !== expectedLength) {
    throw new CoralError(
      'ObjectCorrupt',
      `zstd frame declares ${declared ?? 'no'} content size, expected ${expectedLength} bytes`,
    )
  }
  const out = into ?? new Uint8Array(expectedLength)
  if (out.length !== expectedLength) {
    throw new CoralError('Internal', 'zstd output buffer does not match the expected length')
  }
  let written: number
  try {
    written = loaded().decompressInto(frame, out)
  } catch (error) {
    throw new CoralError('ObjectCorrupt', `zstd frame cannot be decoded: ${String(error)}`)
  }
  if (written !== expectedLength) {
    throw new CoralError(
      'ObjectCorrupt',
      `zstd frame decoded to ${written} bytes, expected ${expectedLength}`,
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
