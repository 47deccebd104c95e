/**
 * Rounding float64 values to the bit patterns of smaller float formats.
 *
 * Used to cast a synthesized mean reference back to its members' dtype. Each
 * encoder rounds the float64 value once, to nearest with ties to even, the
 * IEEE 754 default (and what `Math.fround` does for F32). Going through float32
 * first would round twice and can differ in the last bit.
 *
 * Overflow: formats with infinities (F16, BF16, F8_E5M2) round to ±inf; the
 * E4M3 'fn' variant has none and gives NaN (0x7F | sign), as PyTorch's
 * non-saturating cast does. NaN in gives the canonical quiet NaN.
 */

export interface MiniFloatFormat {
  exponentBits: number
  mantissaBits: number
  /** True for 'fn' formats: no infinities, only all-ones is NaN. */
  finiteOnly: boolean
  /** Bit pattern written for NaN (sign bit clear). */
  nan: number
}

const F16: MiniFloatFormat = { exponentBits: 5, mantissaBits: 10, finiteOnly: false, nan: 0x7e00 }
const BF16: MiniFloatFormat = { exponentBits: 8, mantissaBits: 7, finiteOnly: false, nan: 0x7fc0 }
const E4M3: MiniFloatFormat = { exponentBits: 4, mantissaBits: 3, finiteOnly: true, nan: 0x7f }
const E5M2: MiniFloatFormat = { exponentBits: 5, mantissaBits: 2, finiteOnly: false, nan: 0x7e }

/** The formats above, by dtype name. */
export const MINI_FLOAT_FORMATS = { F16, BF16, F8_E4M3: E4M3, F8_E5M2: E5M2 } as const

/** The float64 being encoded, seen as its two 32-bit halves in the host's byte order. */
const float64 = new Float64Array(1)
const halves = new Uint32Array(float64.buffer)
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
/** Which half holds the sign, the exponent and the top 20 mantissa bits. */
const HIGH = LITTLE_ENDIAN ? 1 : 0
const LOW = 1 - HIGH

/** Rounds to the nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x)
  const diff = x - floor
  if (diff > 0.5) {
    return floor + 1
  }
  if (diff < 0.5) {
    return floor
  }
  return floor % 2 === 0 ? floor : floor + 1
}

/**
 * Rounds `x` to `format`'s bit pattern. A value in the target's normal range
 * (the usual case: a mean of weights) is rounded on its float64 bits: the
 * top `mantissaBits` of the 52-bit mantissa are kept, and one is added when
 * the dropped bits are above half, or exactly half and the kept ones odd. A
 * carry out of the mantissa steps the exponent, which is what rounding up
 * to the next binade means, and from the largest exponent gives infinity.
 * Everything else (zero, subnormal results, overflow, non-finite values) takes
 * the general path.
 */
function encodeMiniFloat(x: number, format: MiniFloatFormat): number {
  const { exponentBits, mantissaBits, finiteOnly } = format
  float64[0] = x
  const high = halves[HIGH]!
  const bias = (1 << (exponentBits - 1)) - 1
  const exponentMax = (1 << exponentBits) - 1
  const exponent = ((high >>> 20) & 0x7ff) - 1023 + bias
  // Normal results only; 'fn' formats use the all-ones exponent for finite values.
  if (exponent < 1 || exponent > (finiteOnly ? exponentMax : exponentMax - 1)) {
    return encodeMiniFloatByArithmetic(x, format)
  }
  // float64 keeps 20 mantissa bits in its high half; every format here has fewer.
  const dropped = 20 - mantissaBits
  const mantissaMask = (1 << mantissaBits) - 1
  let magnitude = (exponent << mantissaBits) | ((high >>> dropped) & mantissaMask)
  const half = (high >>> (dropped - 1)) & 1
  const belowHalf = (high & ((1 << (dropped - 1)) - 1)) | halves[LOW]!
  if (half === 1 && (belowHalf !== 0 || (magnitude & 1) === 1)) {
    magnitude++
  }
  const sign = high >>> 31 === 1 ? 1 << (exponentBits + mantissaBits) : 0
  if (finiteOnly && magnitude >= ((exponentMax << mantissaBits) | mantissaMask)) {
    return sign | format.nan // past the largest finite value: the 'fn' overflow
  }
  return sign | magnitude
}

/**
 * The general path: any value, by arithmetic on the float64 (exact, since
 * every scale is a power of two). Over ten times slower than the bit path of
 * `encodeMiniFloat`, which handles the target's normal range and falls back
 * here for the rest; the tests use this as that path's oracle.
 */
export function encodeMiniFloatByArithmetic(x: number, format: MiniFloatFormat): number {
  const { exponentBits, mantissaBits, finiteOnly } = format
  const signBit = 1 << (exponentBits + mantissaBits)
  const exponentMax = (1 << exponentBits) - 1
  const mantissaMask = (1 << mantissaBits) - 1
  const bias = (1 << (exponentBits - 1)) - 1

  // Special values
  if (Number.isNaN(x)) {
    return format.nan
  }
  const sign = x < 0 || Object.is(x, -0) ? signBit : 0
  const magnitude = Math.abs(x)
  const overflow = sign | (finiteOnly ? format.nan : exponentMax << mantissaBits)
  if (magnitude === Infinity) {
    return overflow
  }
  if (magnitude === 0) {
    return sign
  }

  // Exponent of the leading bit, clamped to the subnormal range
  const exponentMin = 1 - bias
  let exponent = Math.floor(Math.log2(magnitude))
  // Math.log2 may be off by one near powers of two; fix it exactly.
  if (2 ** exponent > magnitude) {
    exponent--
  } else if (2 ** (exponent + 1) <= magnitude) {
    exponent++
  }
  if (exponent < exponentMin) {
    exponent = exponentMin
  }

  // Scale so one unit is the target's last place; exact, a power-of-two scale
  let significand = roundHalfEven(magnitude * 2 ** (mantissaBits - exponent))
  if (significand === 2 ** (mantissaBits + 1)) {
    // Rounding carried into the next binade.
    significand /= 2
    exponent++
  }
  const exponentField = significand < 2 ** mantissaBits ? 0 : exponent + bias
  const mantissa = significand & mantissaMask

  // Overflow
  if (finiteOnly) {
    if (
      exponentField > exponentMax ||
      (exponentField === exponentMax && mantissa === mantissaMask)
    ) {
      return overflow
    }
  } else if (exponentField >= exponentMax) {
    return overflow
  }
  return sign | (exponentField << mantissaBits) | mantissa
}

/** A number to IEEE half precision bits (round to nearest even). */
export function encodeF16(x: number): number {
  return encodeMiniFloat(x, F16)
}

/** A number to bfloat16 bits (round to nearest even, from float64 directly). */
export function encodeBF16(x: number): number {
  return encodeMiniFloat(x, BF16)
}

/** A number to FP8 E4M3 'fn' bits (round to nearest even; overflow gives NaN). */
export function encodeF8E4M3(x: number): number {
  return encodeMiniFloat(x, E4M3)
}

/** A number to FP8 E5M2 bits (round to nearest even; overflow gives inf). */
export function encodeF8E5M2(x: number): number {
  return encodeMiniFloat(x, E5M2)
}
