import { describe, expect, it } from 'vitest'

import {
  encodeBF16,
  encodeF16,
  encodeF8E4M3,
  encodeF8E5M2,
  encodeMiniFloatByArithmetic,
  MINI_FLOAT_FORMATS,
  roundHalfEven,
} from './encode.js'
import { createRandom } from './random.js'
import { decodeBF16, decodeF16, decodeF8E4M3, decodeF8E5M2 } from './values.js'

describe('cluster/encode', () => {
  it('rounds half to even', () => {
    expect([0.5, 1.5, 2.5, -1.5, 2.4999, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -2, 2, -3])
  })

  it('round-trips every non-NaN pattern of each format', () => {
    const formats = [
      [encodeF16, decodeF16, 65536],
      [encodeBF16, decodeBF16, 65536],
      [encodeF8E4M3, decodeF8E4M3, 256],
      [encodeF8E5M2, decodeF8E5M2, 256],
    ] as const
    for (const [encode, decode, size] of formats) {
      for (let bits = 0; bits < size; bits++) {
        const value = decode(bits)
        if (!Number.isNaN(value)) {
          expect(encode(value)).toBe(bits)
        }
      }
    }
  })

  it('encodes F16 ties to even, subnormals, -0 and overflow', () => {
    expect(encodeF16(1 + 2 ** -11)).toBe(0x3c00)
    expect(encodeF16(1 + 3 * 2 ** -11)).toBe(0x3c02)
    expect(encodeF16(1 + 2 ** -11 + 2 ** -40)).toBe(0x3c01)
    expect(encodeF16(65519.99)).toBe(0x7bff)
    expect(encodeF16(65520)).toBe(0x7c00)
    expect(encodeF16(-1e9)).toBe(0xfc00)
    expect(encodeF16(2 ** -25)).toBe(0x0000)
    expect(encodeF16(3 * 2 ** -25)).toBe(0x0002)
    expect(encodeF16(1023.5 * 2 ** -24)).toBe(0x0400)
    expect(encodeF16(-0)).toBe(0x8000)
    expect(encodeF16(-(2 ** -26))).toBe(0x8000)
    expect(encodeF16(NaN)).toBe(0x7e00)
  })

  it('encodes BF16 from float64 in one rounding (no double rounding through float32)', () => {
    expect(encodeBF16(1 + 2 ** -8)).toBe(0x3f80)
    expect(encodeBF16(1 + 3 * 2 ** -8)).toBe(0x3f82)
    // Through float32 this would round to 1 + 2^-8 first, then tie to 0x3F80.
    expect(encodeBF16(1 + 2 ** -8 + 2 ** -30)).toBe(0x3f81)
    expect(encodeBF16(Infinity)).toBe(0x7f80)
    expect(encodeBF16(2 ** -134)).toBe(0x0000)
    expect(encodeBF16(3 * 2 ** -134)).toBe(0x0002)
  })

  it('encodes F8_E4M3 (fn): 448 is the largest, overflow is NaN', () => {
    expect(encodeF8E4M3(448)).toBe(0x7e)
    expect(encodeF8E4M3(464)).toBe(0x7e)
    expect(encodeF8E4M3(470)).toBe(0x7f)
    expect(encodeF8E4M3(-470)).toBe(0xff)
    expect(encodeF8E4M3(Infinity)).toBe(0x7f)
    expect(encodeF8E4M3(1.0625)).toBe(0x38)
    expect(encodeF8E4M3(1.1875)).toBe(0x3a)
    expect(encodeF8E4M3(2 ** -10)).toBe(0x00)
    expect(encodeF8E4M3(3 * 2 ** -10)).toBe(0x02)
    expect(encodeF8E4M3(NaN)).toBe(0x7f)
  })

  it('encodes F8_E5M2 ties to even with overflow to inf', () => {
    expect(encodeF8E5M2(57344)).toBe(0x7b)
    expect(encodeF8E5M2(61440)).toBe(0x7c)
    expect(encodeF8E5M2(1.125)).toBe(0x3c)
    expect(encodeF8E5M2(1.375)).toBe(0x3e)
    expect(encodeF8E5M2(-Infinity)).toBe(0xfc)
    expect(encodeF8E5M2(1.5 * 2 ** -16)).toBe(0x02)
  })

  it('gives the general path bits for every value the bit path takes, ties and carries included', () => {
    const encoders = {
      F16: encodeF16,
      BF16: encodeBF16,
      F8_E4M3: encodeF8E4M3,
      F8_E5M2: encodeF8E5M2,
    }
    const random = createRandom(7)
    const bits = new DataView(new ArrayBuffer(8))
    for (const [name, format] of Object.entries(MINI_FLOAT_FORMATS)) {
      const encode = encoders[name as keyof typeof encoders]
      const bias = (1 << (format.exponentBits - 1)) - 1
      const values: number[] = []
      for (let i = 0; i < 20_000; i++) {
        // An exponent from just below the subnormal range to just past overflow.
        const exponent = Math.floor(random() * (2 * bias + 8)) - bias - 4
        bits.setUint32(0, ((exponent + 1023) << 20) | Math.floor(random() * 2 ** 20))
        // Low half: random, or zero so that exact halves (ties) occur.
        bits.setUint32(4, i % 2 === 0 ? Math.floor(random() * 2 ** 32) : 0)
        const value = bits.getFloat64(0) * (random() < 0.5 ? -1 : 1)
        // The exact midpoint above `value` at the target's precision, and just beside it.
        const ulp = 2 ** (exponent - format.mantissaBits)
        const tie = Math.floor(value / ulp) * ulp + ulp / 2
        values.push(value, tie, tie + ulp / 1024, tie - ulp / 1024)
      }
      for (const value of values) {
        expect(encode(value), `${name} ${value}`).toBe(encodeMiniFloatByArithmetic(value, format))
      }
    }
  })
})
