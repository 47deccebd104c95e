/**
 * Element arithmetic that reproduces numpy's results bit for bit.
 *
 * The Python Coral reconstructs delta-encoded tensors with numpy expressions
 * such as `(reference + delta).astype(original_dtype)`; to read back exactly
 * what it would, we apply numpy's type promotion (float32 stays float32,
 * float64 or 32/64-bit integers promote to float64), IEEE rounding per
 * operation (`Math.fround` after each float32 operation is exact: a double
 * holds the exact result of one float32 operation before rounding), and
 * numpy's float-to-float16 and float-to-int casts.
 */
import type { DType } from '../tensor/dtype.js'

/** The dtype numpy computes `reference (dtype) + float32 array` in. */
export function promoteWithFloat32(dtype: DType): 'F32' | 'F64' {
  return dtype === 'F64' || dtype === 'I64' || dtype === 'I32' ? 'F64' : 'F32'
}

/** Reads raw little-endian elements as JavaScript numbers (exact except int64 above 2^53). */
export function toNumbers(bytes: Uint8Array, dtype: DType): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const size = itemBytes(dtype)
  const count = Math.floor(bytes.byteLength / size)
  const out = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    const at = i * size
    switch (dtype) {
      case 'F64':
        out[i] = view.getFloat64(at, true)
        break
      case 'F32':
        out[i] = view.getFloat32(at, true)
        break
      case 'F16':
        out[i] = halfBitsToNumber(view.getUint16(at, true))
        break
      case 'BF16':
        out[i] = bitsToFloat32(view.getUint16(at, true) << 16)
        break
      case 'I64':
        // Number(bigint) rounds to nearest even, as numpy's int64 -> float64 does.
        out[i] = Number(view.getBigInt64(at, true))
        break
      case 'I32':
        out[i] = view.getInt32(at, true)
        break
      case 'I16':
        out[i] = view.getInt16(at, true)
        break
      case 'I8':
        out[i] = view.getInt8(at)
        break
      case 'U8':
      case 'BOOL':
        out[i] = view.getUint8(at)
        break
      default:
        throw new Error(`toNumbers: unsupported dtype ${dtype}`)
    }
  }
  return out
}

/**
 * Writes numbers computed in `from` as raw bytes of `to`, casting as numpy's `astype` does.
 *
 * Float to float16 rounds to nearest even (with NaN payloads kept like numpy);
 * float to integer truncates toward zero and wraps (NaN becomes 0, which is
 * where numpy's result is platform-defined).
 */
export function fromNumbers(values: Float64Array, from: 'F32' | 'F64', to: DType): Uint8Array {
  const size = itemBytes(to)
  const out = new Uint8Array(values.length * size)
  const view = new DataView(out.buffer)
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number
    const at = i * size
    switch (to) {
      case 'F64':
        view.setFloat64(at, v, true)
        break
      case 'F32':
        view.setFloat32(at, v, true)
        break
      case 'F16':
        view.setUint16(
          at,
          from === 'F32' ? float32BitsToHalfBits(float32Bits(v)) : float64ToHalfBits(v),
          true,
        )
        break
      case 'BF16':
        view.setUint16(at, float32BitsToBfloat16Bits(float32Bits(v)), true)
        break
      case 'I64':
        view.setBigInt64(
          at,
          BigInt.asIntN(64, Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n),
          true,
        )
        break
      case 'I32':
        view.setInt32(at, wrapInt(v), true)
        break
      case 'I16':
        view.setInt16(at, wrapInt(v), true)
        break
      case 'I8':
        view.setInt8(at, wrapInt(v))
        break
      case 'U8':
        view.setUint8(at, wrapInt(v) & 0xff)
        break
      case 'BOOL':
        view.setUint8(at, v !== 0 ? 1 : 0)
        break
      default:
        throw new Error(`fromNumbers: unsupported dtype ${to}`)
    }
  }
  return out
}

/**
 * Writes float32 bit patterns as `to`, without passing NaNs through JavaScript numbers.
 *
 * A float32 signalling NaN read into a double is quietened, so the bitwise
 * (XOR) decoders keep bits end to end for float32 and float16 targets.
 */
export function fromFloat32Bits(bits: Uint32Array, to: DType): Uint8Array {
  if (to === 'F32') {
    return new Uint8Array(bits.slice().buffer)
  }
  if (to === 'F16') {
    const half = new Uint16Array(bits.length)
    for (let i = 0; i < bits.length; i++) {
      half[i] = float32BitsToHalfBits(bits[i] as number)
    }
    return new Uint8Array(half.buffer)
  }
  const values = new Float64Array(bits.length)
  for (let i = 0; i < bits.length; i++) {
    values[i] = bitsToFloat32(bits[i] as number)
  }
  return fromNumbers(values, 'F32', to)
}

/** Casts numbers to float32 values (numpy `astype(float32)`, round to nearest even). */
export function roundToFloat32(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) {
    out[i] = Math.fround(values[i] as number)
  }
  return out
}

/** The float32 bit pattern of a number (rounded to float32 first). */
export function float32Bits(value: number): number {
  SCRATCH_F32[0] = value
  return SCRATCH_U32[0] as number
}

/** The float32 value of a bit pattern. */
export function bitsToFloat32(bits: number): number {
  SCRATCH_U32[0] = bits >>> 0
  return SCRATCH_F32[0] as number
}

/** Exact value of an IEEE half-precision bit pattern. */
export function halfBitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exponent = (bits >> 10) & 0x1f
  const mantissa = bits & 0x3ff
  if (exponent === 0) {
    return sign * mantissa * 2 ** -24
  }
  if (exponent === 0x1f) {
    if (mantissa === 0) {
      return sign * Infinity
    }
    // Keep the payload: widen the half NaN into a float32 NaN the way numpy does.
    return bitsToFloat32(((bits & 0x8000) << 16) | 0x7f800000 | (mantissa << 13))
  }
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15)
}

/**
 * float32 bits to float16 bits, round to nearest even (numpy's `npy_floatbits_to_halfbits`).
 *
 * Overflow gives infinity; NaN keeps the top mantissa bits and stays a NaN.
 */
export function float32BitsToHalfBits(f: number): number {
  const sign = (f >>> 16) & 0x8000
  const exp = f & 0x7f800000
  let mant = f & 0x007fffff
  if (exp >= 0x47800000) {
    if (exp === 0x7f800000 && mant !== 0) {
      let ret = mant >>> 13
      if (ret === 0) {
        ret = 1
      }
      return sign | 0x7c00 | ret
    }
    return sign | 0x7c00
  }
  if (exp <= 0x38000000) {
    // Subnormal half or zero.
    if (exp < 0x33000000) {
      return sign
    }
    const e = exp >>> 23
    mant |= 0x00800000
    const shift = 113 - e
    // Round to nearest even at bit `shift + 13`.
    const full = mant
    const keep = Math.floor(full / 2 ** (shift + 13))
    const rem = full - keep * 2 ** (shift + 13)
    const half = 2 ** (shift + 12)
    let ret = keep
    if (rem > half || (rem === half && (keep & 1) === 1)) {
      ret += 1
    }
    return sign | ret
  }
  const e = (exp >>> 23) - 127 + 15
  let ret = (e << 10) | (mant >>> 13)
  const rem = mant & 0x1fff
  if (rem > 0x1000 || (rem === 0x1000 && (ret & 1) === 1)) {
    // May carry into the exponent, and up to infinity: both are correct.
    ret += 1
  }
  return sign | ret
}

/** float64 to float16 bits with a single rounding (used only for float64 sources). */
export function float64ToHalfBits(value: number): number {
  if (Number.isNaN(value)) {
    return 0x7e00
  }
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0
  const a = Math.abs(value)
  if (a >= 65520) {
    return sign | 0x7c00
  }
  if (a < 2 ** -14) {
    // Subnormal: units of 2^-24, rounded to nearest even.
    return sign | roundHalfEven(a * 2 ** 24)
  }
  const e = Math.floor(Math.log2(a))
  let exponent = e
  let scaled = a / 2 ** e
  if (scaled >= 2) {
    exponent += 1
    scaled /= 2
  } else if (scaled < 1) {
    exponent -= 1
    scaled *= 2
  }
  let mant = roundHalfEven((scaled - 1) * 1024)
  if (mant === 1024) {
    mant = 0
    exponent += 1
  }
  if (exponent > 15) {
    return sign | 0x7c00
  }
  return sign | ((exponent + 15) << 10) | mant
}

function float32BitsToBfloat16Bits(f: number): number {
  if ((f & 0x7f800000) === 0x7f800000 && (f & 0x7fffff) !== 0) {
    return ((f >>> 16) | 0x40) & 0xffff
  }
  const lsb = (f >>> 16) & 1
  return ((f + 0x7fff + lsb) >>> 16) & 0xffff
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x)
  const diff = x - floor
  if (diff > 0.5 || (diff === 0.5 && floor % 2 === 1)) {
    return floor + 1
  }
  return floor
}

function wrapInt(v: number): number {
  if (!Number.isFinite(v)) {
    return 0
  }
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(v))))
}

function itemBytes(dtype: DType): number {
  switch (dtype) {
    case 'F64':
    case 'I64':
      return 8
    case 'F32':
    case 'I32':
      return 4
    case 'F16':
    case 'BF16':
    case 'I16':
      return 2
    default:
      return 1
  }
}

const SCRATCH_F32 = new Float32Array(1)
const SCRATCH_U32 = new Uint32Array(SCRATCH_F32.buffer)
