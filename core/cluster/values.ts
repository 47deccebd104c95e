/**
 * Decoding a tensor's raw little-endian bytes to float64 values for math.
 *
 * Clustering, similarity and mean references need numbers, not bit patterns.
 * Every dtype decodes to float64 exactly (every F16, BF16, F8, F32 and 32-bit
 * integer value is representable; I64 beyond 2^53 rounds to the nearest
 * float64, which is fine for similarity but never used to store bytes).
 * NaN payloads collapse to NaN here: this module is for math only, never for
 * the storage path.
 *
 * Large tensors are decoded in chunks (`forEachValueChunk`, `decodeRange`) so
 * memory stays at one chunk of float64 whatever the tensor size.
 */
import { CoralError } from '../errors.js'
import { elementCount, itemSize, type DType } from '../tensor/dtype.js'
import { formatShape, type Tensor } from '../tensor/tensor.js'

/** Elements decoded per chunk by default (512 KiB of float64). */
export const DEFAULT_CHUNK_ELEMENTS = 1 << 16

// NOTE: typed-array views read in host byte order; tensors are little-endian.
// Every platform Node and Electron ship for (x64, arm64) is little-endian.
const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * Number of elements of `tensor`, after checking that its bytes fit its shape.
 *
 * Throws `InvalidArgument` when the byte length does not match
 * `elementCount(shape) * itemSize(dtype)` or the shape is unrepresentable.
 */
export function tensorElementCount(tensor: Tensor): number {
  const count = elementCount(tensor.shape)
  const expected = count === undefined ? undefined : count * itemSize(tensor.dtype)
  if (count === undefined || expected !== tensor.data.byteLength) {
    throw new CoralError(
      'InvalidArgument',
      `tensor ${tensor.dtype}${formatShape(tensor.shape)} has ${tensor.data.byteLength} bytes of data; expected ${expected ?? 'a representable size'}`,
      { dtype: tensor.dtype, shape: [...tensor.shape], byteLength: tensor.data.byteLength },
    )
  }
  return count
}

/** Decodes an IEEE-style small float from its fields; `nanOnlyAllOnes` is the E4M3 'fn' rule. */
function decodeMiniFloat(
  bits: number,
  exponentBits: number,
  mantissaBits: number,
  nanOnlyAllOnes: boolean,
): number {
  const bias = (1 << (exponentBits - 1)) - 1
  const exponentMax = (1 << exponentBits) - 1
  const mantissaMask = (1 << mantissaBits) - 1
  const sign = (bits >> (exponentBits + mantissaBits)) & 1 ? -1 : 1
  const exponent = (bits >> mantissaBits) & exponentMax
  const mantissa = bits & mantissaMask
  if (nanOnlyAllOnes) {
    // 'fn' formats have no infinities: only the all-ones pattern is NaN.
    if (exponent === exponentMax && mantissa === mantissaMask) {
      return NaN
    }
  } else if (exponent === exponentMax) {
    return mantissa === 0 ? sign * Infinity : NaN
  }
  if (exponent === 0) {
    // Subnormal (and zero): no implicit leading one; keeps the sign of -0.
    return sign * mantissa * 2 ** (1 - bias - mantissaBits)
  }
  return sign * (1 + mantissa / (mantissaMask + 1)) * 2 ** (exponent - bias)
}

/** IEEE 754 half precision (1-5-10) to a number. */
export function decodeF16(bits: number): number {
  return decodeMiniFloat(bits & 0xffff, 5, 10, false)
}

const bf16Scratch = new Float32Array(1)
const bf16ScratchBits = new Uint32Array(bf16Scratch.buffer)

/** bfloat16 (the high half of a float32) to a number. */
export function decodeBF16(bits: number): number {
  bf16ScratchBits[0] = (bits & 0xffff) << 16
  return bf16Scratch[0]!
}

/** OCP FP8 E4M3 'fn' variant (1-4-3, bias 7, no infinities, 0x7F/0xFF NaN) to a number. */
export function decodeF8E4M3(bits: number): number {
  return decodeMiniFloat(bits & 0xff, 4, 3, true)
}

/** OCP FP8 E5M2 (1-5-2, bias 15, IEEE-style infinities and NaN) to a number. */
export function decodeF8E5M2(bits: number): number {
  return decodeMiniFloat(bits & 0xff, 5, 2, false)
}

let f16Table: Float64Array | undefined
let bf16Table: Float64Array | undefined
let e4m3Table: Float64Array | undefined
let e5m2Table: Float64Array | undefined

function buildTable(size: number, decode: (bits: number) => number): Float64Array {
  const table = new Float64Array(size)
  for (let bits = 0; bits < size; bits++) {
    table[bits] = decode(bits)
  }
  return table
}

/**
 * The lookup table for `dtype` (every bit pattern to its value), built once.
 *
 * Node 20 has no `Float16Array`; a 64K-entry table decodes F16 and BF16 at
 * tens of millions of elements per second.
 */
export function decodeTable(dtype: 'F16' | 'BF16' | 'F8_E4M3' | 'F8_E5M2'): Float64Array {
  switch (dtype) {
    case 'F16':
      return (f16Table ??= buildTable(65536, decodeF16))
    case 'BF16':
      return (bf16Table ??= buildTable(65536, decodeBF16))
    case 'F8_E4M3':
      return (e4m3Table ??= buildTable(256, decodeF8E4M3))
    case 'F8_E5M2':
      return (e5m2Table ??= buildTable(256, decodeF8E5M2))
  }
}

/** A typed view of elements `start..start+count` of `data`, copying only when misaligned. */
function elementBytes(data: Uint8Array, size: number, start: number, count: number): ArrayBuffer {
  return data.slice(start * size, (start + count) * size).buffer
}

function isAligned(data: Uint8Array, size: number, start: number): boolean {
  return (data.byteOffset + start * size) % size === 0
}

function view<T>(
  ctor: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T,
  data: Uint8Array,
  size: number,
  start: number,
  count: number,
): T {
  // Typed arrays need element alignment; a tensor sliced out of a file buffer
  // may start anywhere, so misaligned ranges are copied first.
  if (isAligned(data, size, start)) {
    return new ctor(data.buffer, data.byteOffset + start * size, count)
  }
  return new ctor(elementBytes(data, size, start, count), 0, count)
}

/**
 * A tensor's elements read in place, without decoding: `values` for F32 and
 * F64, or 16-bit patterns (`bits`) with their decode `table` for F16 and BF16.
 */
export type DirectElements =
  | { values: Float32Array | Float64Array; bits?: undefined; table?: undefined }
  | { values?: undefined; bits: Uint16Array; table: Float64Array }

/**
 * The tensor's elements as typed views over its bytes, for loops that would
 * otherwise copy every chunk through `decodeRange` (summing straight from
 * the views made the full-tensor cosine about 4x faster). Undefined when the
 * bytes cannot back such a view: other dtypes, a misaligned slice of a file
 * buffer, or a big-endian machine (which `decodeRange` refuses clearly).
 */
export function directElements(tensor: Tensor): DirectElements | undefined {
  const { data } = tensor
  if (!IS_LITTLE_ENDIAN) {
    return undefined
  }
  switch (tensor.dtype) {
    case 'F32':
      return isAligned(data, 4, 0)
        ? { values: view(Float32Array, data, 4, 0, data.length / 4) }
        : undefined
    case 'F64':
      return isAligned(data, 8, 0)
        ? { values: view(Float64Array, data, 8, 0, data.length / 8) }
        : undefined
    case 'F16':
    case 'BF16':
      return isAligned(data, 2, 0)
        ? { bits: view(Uint16Array, data, 2, 0, data.length / 2), table: decodeTable(tensor.dtype) }
        : undefined
    default:
      return undefined
  }
}

/**
 * Decodes elements `start..start+count` of `tensor` into `out[0..count)`.
 *
 * `out` must hold at least `count` values. The caller checks the range (the
 * chunked helpers below do); the tensor's byte length is not re-validated
 * here, so call `tensorElementCount` once first.
 */
export function decodeRange(tensor: Tensor, start: number, count: number, out: Float64Array): void {
  if (!IS_LITTLE_ENDIAN) {
    throw new CoralError('Unsupported', 'Coral needs a little-endian machine to decode tensors')
  }
  const { data } = tensor
  const dtype: DType = tensor.dtype
  switch (dtype) {
    case 'F64':
      out.set(view(Float64Array, data, 8, start, count))
      return
    case 'F32':
      out.set(view(Float32Array, data, 4, start, count))
      return
    case 'I32':
      out.set(view(Int32Array, data, 4, start, count))
      return
    case 'I16':
      out.set(view(Int16Array, data, 2, start, count))
      return
    case 'I8':
      out.set(new Int8Array(data.buffer, data.byteOffset + start, count))
      return
    case 'U8':
      out.set(data.subarray(start, start + count))
      return
    case 'BOOL': {
      // Any non-zero byte is true, as numpy and torch read it.
      for (let i = 0; i < count; i++) {
        out[i] = data[start + i] === 0 ? 0 : 1
      }
      return
    }
    case 'I64': {
      const values = view(BigInt64Array, data, 8, start, count)
      for (let i = 0; i < count; i++) {
        out[i] = Number(values[i])
      }
      return
    }
    case 'F16':
    case 'BF16': {
      const table = decodeTable(dtype)
      const bits = view(Uint16Array, data, 2, start, count)
      for (let i = 0; i < count; i++) {
        out[i] = table[bits[i]!]!
      }
      return
    }
    case 'F8_E4M3':
    case 'F8_E5M2': {
      const table = decodeTable(dtype)
      for (let i = 0; i < count; i++) {
        out[i] = table[data[start + i]!]!
      }
      return
    }
  }
}

/**
 * Calls `fn` with consecutive chunks of `tensor`'s values as float64.
 *
 * `fn(values, start)` receives at most `chunkElements` values, the first being
 * element `start` (C order). The same buffer is reused between calls, so `fn`
 * must copy what it keeps. Memory is one chunk whatever the tensor size.
 */
export function forEachValueChunk(
  tensor: Tensor,
  chunkElements: number,
  fn: (values: Float64Array, start: number) => void,
): void {
  const total = tensorElementCount(tensor)
  const chunk = checkChunkElements(chunkElements)
  const buffer = new Float64Array(Math.min(chunk, total))
  for (let start = 0; start < total; start += chunk) {
    const count = Math.min(chunk, total - start)
    decodeRange(tensor, start, count, buffer)
    fn(count === buffer.length ? buffer : buffer.subarray(0, count), start)
  }
}

/** Every value of a (small) tensor as float64. Prefer `forEachValueChunk` for big ones. */
export function toFloat64(tensor: Tensor): Float64Array {
  const total = tensorElementCount(tensor)
  const out = new Float64Array(total)
  decodeRange(tensor, 0, total, out)
  return out
}

/** Validates a chunk size option (a positive integer). */
export function checkChunkElements(chunkElements: number): number {
  if (!Number.isSafeInteger(chunkElements) || chunkElements < 1) {
    throw new CoralError(
      'InvalidArgument',
      `chunk size must be a positive integer, got ${chunkElements}`,
    )
  }
  return chunkElements
}
