import { describe, expect, it } from 'vitest'

import type { Tensor } from '../tensor/tensor.js'
import {
  decodeBF16,
  decodeF16,
  decodeF8E4M3,
  decodeF8E5M2,
  decodeTable,
  forEachValueChunk,
  toFloat64,
} from './values.js'

function bytesTensor(dtype: Tensor['dtype'], shape: number[], bytes: number[]): Tensor {
  return { dtype, shape, data: Uint8Array.from(bytes) }
}

describe('cluster/values', () => {
  it('decodes F16 bit patterns, including subnormals, -0, inf and NaN', () => {
    expect(decodeF16(0x0000)).toBe(0)
    expect(Object.is(decodeF16(0x8000), -0)).toBe(true)
    expect(decodeF16(0x3c00)).toBe(1)
    expect(decodeF16(0xc000)).toBe(-2)
    expect(decodeF16(0x3555)).toBe(0.333251953125)
    expect(decodeF16(0x7bff)).toBe(65504)
    expect(decodeF16(0x0001)).toBe(2 ** -24)
    expect(decodeF16(0x03ff)).toBe(1023 * 2 ** -24)
    expect(decodeF16(0x0400)).toBe(2 ** -14)
    expect(decodeF16(0x7c00)).toBe(Infinity)
    expect(decodeF16(0xfc00)).toBe(-Infinity)
    expect(decodeF16(0x7e00)).toBeNaN()
    expect(decodeF16(0x7c01)).toBeNaN()
  })

  it('decodes BF16 bit patterns as the high half of a float32', () => {
    expect(decodeBF16(0x3f80)).toBe(1)
    expect(decodeBF16(0xc000)).toBe(-2)
    expect(decodeBF16(0x4049)).toBe(3.140625)
    expect(decodeBF16(0x0001)).toBe(2 ** -133)
    expect(Object.is(decodeBF16(0x8000), -0)).toBe(true)
    expect(decodeBF16(0x7f7f)).toBe((2 - 2 ** -7) * 2 ** 127)
    expect(decodeBF16(0x7f80)).toBe(Infinity)
    expect(decodeBF16(0xff80)).toBe(-Infinity)
    expect(decodeBF16(0x7fc0)).toBeNaN()
  })

  it('decodes F8_E4M3 as the fn variant: no infinities, only 0x7F/0xFF are NaN', () => {
    expect(decodeF8E4M3(0x38)).toBe(1)
    expect(decodeF8E4M3(0xb8)).toBe(-1)
    expect(decodeF8E4M3(0x78)).toBe(256)
    expect(decodeF8E4M3(0x7e)).toBe(448)
    expect(decodeF8E4M3(0x7f)).toBeNaN()
    expect(decodeF8E4M3(0xff)).toBeNaN()
    expect(decodeF8E4M3(0x01)).toBe(2 ** -9)
    expect(decodeF8E4M3(0x07)).toBe(7 * 2 ** -9)
    expect(decodeF8E4M3(0x08)).toBe(2 ** -6)
    expect(Object.is(decodeF8E4M3(0x80), -0)).toBe(true)
  })

  it('decodes F8_E5M2 with IEEE infinities and NaNs', () => {
    expect(decodeF8E5M2(0x3c)).toBe(1)
    expect(decodeF8E5M2(0x7b)).toBe(57344)
    expect(decodeF8E5M2(0x7c)).toBe(Infinity)
    expect(decodeF8E5M2(0xfc)).toBe(-Infinity)
    expect(decodeF8E5M2(0x7d)).toBeNaN()
    expect(decodeF8E5M2(0x7f)).toBeNaN()
    expect(decodeF8E5M2(0x01)).toBe(2 ** -16)
    expect(decodeF8E5M2(0x04)).toBe(2 ** -14)
    expect(Object.is(decodeF8E5M2(0x80), -0)).toBe(true)
  })

  it('builds lookup tables that agree with the decoders for every pattern', () => {
    const cases = [
      ['F16', decodeF16, 65536],
      ['BF16', decodeBF16, 65536],
      ['F8_E4M3', decodeF8E4M3, 256],
      ['F8_E5M2', decodeF8E5M2, 256],
    ] as const
    for (const [dtype, decode, size] of cases) {
      const table = decodeTable(dtype)
      expect(table.length).toBe(size)
      for (let bits = 0; bits < size; bits++) {
        expect(
          Object.is(table[bits], decode(bits)) ||
            (Number.isNaN(table[bits]) && Number.isNaN(decode(bits))),
        ).toBe(true)
      }
    }
  })

  it('decodes every dtype from little-endian bytes', () => {
    const f64 = new Uint8Array(new Float64Array([1.5, -0.1]).buffer)
    expect([...toFloat64({ dtype: 'F64', shape: [2], data: f64 })]).toEqual([1.5, -0.1])
    const f32 = new Uint8Array(new Float32Array([0.1, -3]).buffer)
    expect([...toFloat64({ dtype: 'F32', shape: [2], data: f32 })]).toEqual([Math.fround(0.1), -3])
    expect([...toFloat64(bytesTensor('F16', [2], [0x00, 0x3c, 0x00, 0xc0]))]).toEqual([1, -2])
    expect([...toFloat64(bytesTensor('BF16', [1], [0x49, 0x40]))]).toEqual([3.140625])
    expect([...toFloat64(bytesTensor('F8_E4M3', [2], [0x38, 0x7e]))]).toEqual([1, 448])
    expect([...toFloat64(bytesTensor('F8_E5M2', [1], [0x7b]))]).toEqual([57344])
    expect([...toFloat64(bytesTensor('I8', [2], [0xff, 0x7f]))]).toEqual([-1, 127])
    expect([...toFloat64(bytesTensor('U8', [2], [0xff, 0x7f]))]).toEqual([255, 127])
    expect([...toFloat64(bytesTensor('I16', [1], [0x00, 0x80]))]).toEqual([-32768])
    expect([...toFloat64(bytesTensor('I32', [1], [0xfe, 0xff, 0xff, 0xff]))]).toEqual([-2])
    const i64 = new Uint8Array(new BigInt64Array([-5n, 2n ** 40n]).buffer)
    expect([...toFloat64({ dtype: 'I64', shape: [2], data: i64 })]).toEqual([-5, 2 ** 40])
    expect([...toFloat64(bytesTensor('BOOL', [3], [0, 1, 2]))]).toEqual([0, 1, 1])
  })

  it('reads tensors whose bytes start at a misaligned offset', () => {
    const backing = new Uint8Array(13)
    backing.set(new Uint8Array(new Float32Array([1, 2, 3]).buffer), 1)
    const tensor: Tensor = { dtype: 'F32', shape: [3], data: backing.subarray(1, 13) }
    expect([...toFloat64(tensor)]).toEqual([1, 2, 3])
  })

  it('streams chunks that concatenate to the whole tensor', () => {
    const values = Float32Array.from({ length: 10 }, (_, i) => i * 0.5 - 2)
    const tensor: Tensor = { dtype: 'F32', shape: [2, 5], data: new Uint8Array(values.buffer) }
    const seen: number[] = []
    const starts: number[] = []
    forEachValueChunk(tensor, 3, (chunk, start) => {
      starts.push(start)
      seen.push(...chunk)
    })
    expect(starts).toEqual([0, 3, 6, 9])
    expect(seen).toEqual([...toFloat64(tensor)])
  })

  it('handles 0-d and empty tensors', () => {
    expect([...toFloat64(bytesTensor('U8', [], [7]))]).toEqual([7])
    expect(toFloat64(bytesTensor('F32', [0, 4], [])).length).toBe(0)
    let calls = 0
    forEachValueChunk(bytesTensor('F32', [0], []), 4, () => calls++)
    expect(calls).toBe(0)
  })

  it('rejects data whose length does not match the shape', () => {
    expect(() => toFloat64(bytesTensor('F32', [2], [0, 0, 0]))).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
    expect(() => forEachValueChunk(bytesTensor('U8', [1], [0]), 0, () => {})).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
  })
})
