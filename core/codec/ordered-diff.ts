/**
 * Lossless integer differences of bit patterns, for delta objects.
 *
 * Between checkpoints a weight moves by some tens of units in the last place,
 * often across an exponent boundary. XOR of the two bit patterns turns such
 * a move into a burst of flipped mantissa bits, while the difference of the
 * patterns read as integers stays a small number. So each element is mapped
 * to an order-preserving unsigned integer (floats are sign-magnitude: a
 * negative pattern is inverted, a positive one gets its top bit set, which
 * makes -0 and +0 neighbours and keeps NaN payloads as they are), the base's
 * integer is subtracted modulo 2^bits, and the signed result is zigzag-mapped
 * (0, -1, 1, -2, ... to 0, 1, 2, 3, ...) so small moves either way have
 * leading zero bytes that byte planes and zstd compress well.
 *
 * Every step is a bijection on bit patterns, so decoding returns the exact
 * bytes: this is never float arithmetic. Measured on ../shared/zoo against
 * XOR with the previous checkpoint, byte planes, zstd level 1: 6.0% fewer
 * delta bytes in bfloat16, 2.3% in float32 (docs/CLUSTERING.md).
 */
import { isFloatDType, itemSize, type DType } from '../tensor/dtype.js'
import { alignedView, joinPlanes, splitPlanes } from './byte-planes.js'

/** The zigzagged ordered difference `tensor - base`, element by element. */
export function orderedDiff(dtype: DType, data: Uint8Array, base: Uint8Array): Uint8Array {
  return transform(dtype, data, base, true)
}

/** Inverse of `orderedDiff`: the tensor bytes from the difference and the base. */
export function undoOrderedDiff(dtype: DType, diff: Uint8Array, base: Uint8Array): Uint8Array {
  return transform(dtype, diff, base, false)
}

/**
 * `splitPlanes(orderedDiff(...))` in one pass for float32 and 16-bit floats
 * (the weights deltas are made of): the planes are written as the
 * differences are computed, without a buffer in between.
 */
export function orderedDiffPlanes(dtype: DType, data: Uint8Array, base: Uint8Array): Uint8Array {
  const size = itemSize(dtype)
  if (!isFloatDType(dtype) || (size !== 4 && size !== 2) || data.length !== base.length) {
    return splitPlanes(orderedDiff(dtype, data, base), size)
  }
  const planes = new Uint8Array(data.length)
  if (size === 4)
    diffPlanes32Float(alignedView(data, Int32Array), alignedView(base, Int32Array), planes)
  else diffPlanes16Float(alignedView(data, Uint16Array), alignedView(base, Uint16Array), planes)
  return planes
}

/** Inverse of `orderedDiffPlanes`: `undoOrderedDiff(joinPlanes(...))` in one pass where it has one. */
export function undoOrderedDiffPlanes(
  dtype: DType,
  planes: Uint8Array,
  base: Uint8Array,
): Uint8Array {
  const size = itemSize(dtype)
  if (!isFloatDType(dtype) || (size !== 4 && size !== 2) || planes.length !== base.length) {
    return undoOrderedDiff(dtype, joinPlanes(planes, size), base)
  }
  const out = new Uint8Array(planes.length)
  if (size === 4) {
    undoPlanes32Float(planes, alignedView(base, Int32Array), new Int32Array(out.buffer))
  } else {
    undoPlanes16Float(planes, alignedView(base, Uint16Array), new Uint16Array(out.buffer))
  }
  return out
}

function transform(
  dtype: DType,
  input: Uint8Array,
  base: Uint8Array,
  forward: boolean,
): Uint8Array {
  if (input.length !== base.length) {
    throw new RangeError(`ordered difference: lengths differ (${input.length} vs ${base.length})`)
  }
  const size = itemSize(dtype)
  const float = isFloatDType(dtype)
  const out = new Uint8Array(input.length)
  switch (size) {
    case 1:
      runNarrow(input, base, out, 8, float, forward)
      break
    case 2:
      runNarrow(
        alignedView(input, Uint16Array),
        alignedView(base, Uint16Array),
        new Uint16Array(out.buffer),
        16,
        float,
        forward,
      )
      break
    case 4: {
      // Int32 views: V8 keeps int32 values unboxed, while uint32 values above
      // 2^31 become doubles and make these loops several times slower.
      const a = alignedView(input, Int32Array)
      const b = alignedView(base, Int32Array)
      const o = new Int32Array(out.buffer)
      if (forward) {
        if (float) diff32Float(a, b, o)
        else diff32(a, b, o)
      } else if (float) undo32Float(a, b, o)
      else undo32(a, b, o)
      break
    }
    default:
      run64(
        alignedView(input, Uint32Array),
        alignedView(base, Uint32Array),
        new Uint32Array(out.buffer),
        float,
        forward,
      )
  }
  return out
}

/** 8- and 16-bit elements, with 32-bit arithmetic cut back to `bits`. */
function runNarrow(
  input: Uint8Array | Uint16Array,
  base: Uint8Array | Uint16Array,
  out: Uint8Array | Uint16Array,
  bits: 8 | 16,
  float: boolean,
  forward: boolean,
): void {
  // One loop per case, with no branch inside: these run over every element.
  if (forward) {
    if (float) diffNarrowFloat(input, base, out, bits)
    else diffNarrow(input, base, out, bits)
  } else if (float) undoNarrowFloat(input, base, out, bits)
  else undoNarrow(input, base, out, bits)
}

// For a `bits`-wide sign-magnitude pattern u, the order-preserving map is
// u ^ ((-(u >> (bits - 1)) & mask) | sign): a negative pattern is inverted,
// a positive one gets its sign bit set. Its inverse for v is
// v ^ ((((v >> (bits - 1)) - 1) & (mask ^ sign)) | sign). Stores into the
// output array keep the low `bits` bits, which is the wrap modulo 2^bits.

function diffNarrowFloat(
  input: Uint8Array | Uint16Array,
  base: Uint8Array | Uint16Array,
  out: Uint8Array | Uint16Array,
  bits: number,
): void {
  const top = bits - 1
  const sign = 1 << top
  const mask = (1 << bits) - 1
  const shift = 32 - bits
  for (let i = 0; i < input.length; i++) {
    const x = input[i]!
    const y = base[i]!
    const a = x ^ ((-(x >> top) & mask) | sign)
    const b = y ^ ((-(y >> top) & mask) | sign)
    const d = ((a - b) << shift) >> shift
    out[i] = (d << 1) ^ (d >> 31)
  }
}

function undoNarrowFloat(
  input: Uint8Array | Uint16Array,
  base: Uint8Array | Uint16Array,
  out: Uint8Array | Uint16Array,
  bits: number,
): void {
  const top = bits - 1
  const sign = 1 << top
  const mask = (1 << bits) - 1
  const low = mask ^ sign
  for (let i = 0; i < input.length; i++) {
    const z = input[i]!
    const y = base[i]!
    const v = ((y ^ ((-(y >> top) & mask) | sign)) + ((z >>> 1) ^ -(z & 1))) & mask
    out[i] = v ^ ((((v >> top) - 1) & low) | sign)
  }
}

function diffNarrow(
  input: Uint8Array | Uint16Array,
  base: Uint8Array | Uint16Array,
  out: Uint8Array | Uint16Array,
  bits: number,
): void {
  const shift = 32 - bits
  for (let i = 0; i < input.length; i++) {
    const d = ((input[i]! - base[i]!) << shift) >> shift
    out[i] = (d << 1) ^ (d >> 31)
  }
}

function undoNarrow(
  input: Uint8Array | Uint16Array,
  base: Uint8Array | Uint16Array,
  out: Uint8Array | Uint16Array,
  bits: number,
): void {
  const mask = (1 << bits) - 1
  for (let i = 0; i < input.length; i++) {
    const z = input[i]!
    out[i] = (base[i]! + ((z >>> 1) ^ -(z & 1))) & mask
  }
}

/** Sign bit of a 32-bit pattern, as an int32. */
const SIGN32 = 0x80000000 | 0

// The order-preserving map of a float32 pattern x (as int32) is
// x ^ ((x >> 31) | SIGN32): a negative pattern is inverted, a positive one
// gets its sign bit set. Its inverse for v is v ^ (~(v >> 31) | SIGN32).

function diff32Float(input: Int32Array, base: Int32Array, out: Int32Array): void {
  for (let i = 0; i < input.length; i++) {
    const x = input[i]!
    const y = base[i]!
    const d = ((x ^ ((x >> 31) | SIGN32)) - (y ^ ((y >> 31) | SIGN32))) | 0
    out[i] = (d << 1) ^ (d >> 31)
  }
}

function undo32Float(input: Int32Array, base: Int32Array, out: Int32Array): void {
  for (let i = 0; i < input.length; i++) {
    const z = input[i]!
    const y = base[i]!
    const v = ((y ^ ((y >> 31) | SIGN32)) + ((z >>> 1) ^ -(z & 1))) | 0
    out[i] = v ^ (~(v >> 31) | SIGN32)
  }
}

function diffPlanes32Float(input: Int32Array, base: Int32Array, planes: Uint8Array): void {
  const n = input.length
  for (let i = 0; i < n; i++) {
    const x = input[i]!
    const y = base[i]!
    const d = ((x ^ ((x >> 31) | SIGN32)) - (y ^ ((y >> 31) | SIGN32))) | 0
    const z = (d << 1) ^ (d >> 31)
    planes[i] = z
    planes[n + i] = z >> 8
    planes[2 * n + i] = z >> 16
    planes[3 * n + i] = z >> 24
  }
}

function undoPlanes32Float(planes: Uint8Array, base: Int32Array, out: Int32Array): void {
  const n = base.length
  for (let i = 0; i < n; i++) {
    const z =
      planes[i]! | (planes[n + i]! << 8) | (planes[2 * n + i]! << 16) | (planes[3 * n + i]! << 24)
    const y = base[i]!
    const v = ((y ^ ((y >> 31) | SIGN32)) + ((z >>> 1) ^ -(z & 1))) | 0
    out[i] = v ^ (~(v >> 31) | SIGN32)
  }
}

/** bfloat16 and float16: the 16-bit case of `diffNarrowFloat`, written as two planes. */
function diffPlanes16Float(input: Uint16Array, base: Uint16Array, planes: Uint8Array): void {
  const n = input.length
  for (let i = 0; i < n; i++) {
    const x = input[i]!
    const y = base[i]!
    const a = x ^ ((-(x >> 15) & 0xffff) | 0x8000)
    const b = y ^ ((-(y >> 15) & 0xffff) | 0x8000)
    const d = ((a - b) << 16) >> 16
    const z = (d << 1) ^ (d >> 31)
    planes[i] = z
    planes[n + i] = z >> 8
  }
}

function undoPlanes16Float(planes: Uint8Array, base: Uint16Array, out: Uint16Array): void {
  const n = base.length
  for (let i = 0; i < n; i++) {
    const z = planes[i]! | (planes[n + i]! << 8)
    const y = base[i]!
    const v = ((y ^ ((-(y >> 15) & 0xffff) | 0x8000)) + ((z >>> 1) ^ -(z & 1))) & 0xffff
    out[i] = v ^ ((((v >> 15) - 1) & 0x7fff) | 0x8000)
  }
}

function diff32(input: Int32Array, base: Int32Array, out: Int32Array): void {
  for (let i = 0; i < input.length; i++) {
    const d = (input[i]! - base[i]!) | 0
    out[i] = (d << 1) ^ (d >> 31)
  }
}

function undo32(input: Int32Array, base: Int32Array, out: Int32Array): void {
  for (let i = 0; i < input.length; i++) {
    const z = input[i]!
    out[i] = (base[i]! + ((z >>> 1) ^ -(z & 1))) | 0
  }
}

/** 64-bit elements as (low, high) word pairs, with the borrow and zigzag carried by hand. */
function run64(
  input: Uint32Array,
  base: Uint32Array,
  out: Uint32Array,
  float: boolean,
  forward: boolean,
): void {
  const b = new Uint32Array(2)
  const a = new Uint32Array(2)
  for (let i = 0; i < input.length; i += 2) {
    order64(base, i, float, b)
    const bLo = b[0]!
    const bHi = b[1]!
    if (forward) {
      order64(input, i, float, a)
      const aLo = a[0]!
      const aHi = a[1]!
      const dLo = (aLo - bLo) >>> 0
      const dHi = (aHi - bHi - (aLo < bLo ? 1 : 0)) | 0
      const sign = dHi >> 31
      out[i] = ((dLo << 1) ^ sign) >>> 0
      out[i + 1] = (((dHi << 1) | (dLo >>> 31)) ^ sign) >>> 0
    } else {
      const zLo = input[i]!
      const zHi = input[i + 1]!
      const sign = -(zLo & 1)
      const dLo = (((zLo >>> 1) | (zHi << 31)) ^ sign) >>> 0
      const dHi = ((zHi >>> 1) ^ sign) >>> 0
      const lo = (bLo + dLo) >>> 0
      let hi = (bHi + dHi + (lo < bLo ? 1 : 0)) >>> 0
      let outLo = lo
      if (float && hi & 0x80000000) {
        hi = (hi & 0x7fffffff) >>> 0
      } else if (float) {
        outLo = ~lo >>> 0
        hi = ~hi >>> 0
      }
      out[i] = outLo
      out[i + 1] = hi
    }
  }
}

/** The (low, high) words of element `i / 2` of `words`, made order-preserving for floats, into `out`. */
function order64(words: Uint32Array, i: number, float: boolean, out: Uint32Array): void {
  const lo = words[i]!
  const hi = words[i + 1]!
  const negative = float && (hi & 0x80000000) !== 0
  out[0] = negative ? ~lo : lo
  out[1] = !float ? hi : negative ? ~hi : hi | 0x80000000
}
