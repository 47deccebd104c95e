import { describe, expect, it } from 'vitest'

import type { DType } from '../tensor/dtype.js'
import type { Tensor } from '../tensor/tensor.js'
import { itemSize } from '../tensor/dtype.js'
import { encodeBF16, encodeF16, encodeF8E4M3, encodeF8E5M2, roundHalfEven } from './encode.js'
import { createRandom } from './random.js'
import { meanTensor, pickMedoid } from './reference.js'
import { f32Tensor, gaussians } from './synthetic.js'
import { decodeRange } from './values.js'

/** A tensor of 16-bit patterns (F16/BF16), little-endian. */
function u16(dtype: DType, bits: number[]): Tensor {
  return { dtype, shape: [bits.length], data: new Uint8Array(Uint16Array.from(bits).buffer) }
}

function bytes(dtype: DType, values: number[]): Tensor {
  return { dtype, shape: [values.length], data: Uint8Array.from(values) }
}

/** Mean of single-column members, read back as 16-bit patterns. */
function mean16(dtype: DType, ...columns: number[][]): number[] {
  const members = columns[0]!.map((_, m) =>
    u16(
      dtype,
      columns.map((col) => col[m]!),
    ),
  )
  const out = meanTensor(members)
  return [...new Uint16Array(out.data.buffer, out.data.byteOffset, out.data.byteLength / 2)]
}

/** The mean as `meanTensor` defines it, one element at a time (the oracle for its loops). */
function elementwiseMean(members: Tensor[]): Uint8Array {
  const first = members[0]!
  const size = itemSize(first.dtype)
  const count = first.data.length / size
  const out = new Uint8Array(first.data.length)
  const view = new DataView(out.buffer)
  const value = new Float64Array(1)
  const n = members.length
  for (let e = 0; e < count; e++) {
    let sum = -0
    let special = false
    for (const member of members) {
      decodeRange(member, e, 1, value)
      if (Number.isFinite(value[0]!)) sum += value[0]!
      else special = true
    }
    if (special) {
      out.set(first.data.subarray(e * size, (e + 1) * size), e * size)
      continue
    }
    const mean = sum / n
    const integer = (low: number, high: number) =>
      Math.min(high, Math.max(low, roundHalfEven(mean)))
    switch (first.dtype) {
      case 'F64':
        view.setFloat64(e * 8, mean, true)
        break
      case 'F32':
        view.setFloat32(e * 4, Math.fround(mean), true)
        break
      case 'F16':
        view.setUint16(e * 2, encodeF16(mean), true)
        break
      case 'BF16':
        view.setUint16(e * 2, encodeBF16(mean), true)
        break
      case 'F8_E4M3':
        out[e] = encodeF8E4M3(mean)
        break
      case 'F8_E5M2':
        out[e] = encodeF8E5M2(mean)
        break
      case 'BOOL':
        out[e] = sum * 2 > n ? 1 : sum * 2 < n ? 0 : first.data[e] === 0 ? 0 : 1
        break
      case 'I8':
        view.setInt8(e, integer(-128, 127))
        break
      case 'I16':
        view.setInt16(e * 2, integer(-32768, 32767), true)
        break
      case 'I32':
        view.setInt32(e * 4, integer(-2147483648, 2147483647), true)
        break
      case 'U8':
        view.setUint8(e, integer(0, 255))
        break
      default:
        throw new Error(`no oracle for ${first.dtype}`)
    }
  }
  return out
}

describe('cluster/reference', () => {
  describe('meanTensor', () => {
    it('matches an element-by-element mean for every dtype, specials and chunk edges included', () => {
      const random = createRandom(7)
      const dtypes: DType[] = ['F64', 'F32', 'F16', 'BF16', 'F8_E4M3', 'F8_E5M2', 'BOOL']
      dtypes.push('I32', 'I16', 'I8', 'U8')
      for (const dtype of dtypes) {
        const size = itemSize(dtype)
        const count = 1000
        // Random bit patterns: NaN payloads, infinities, subnormals and -0 for the floats.
        const members = Array.from({ length: 4 }, (): Tensor => {
          const data = Uint8Array.from({ length: count * size }, () => Math.floor(random() * 256))
          return { dtype, shape: [count], data }
        })
        const expected = Buffer.from(elementwiseMean(members))
        expect(Buffer.from(meanTensor(members, 300).data).equals(expected), dtype).toBe(true)
        // One byte into a larger buffer: no typed view fits, so values are decoded first.
        const misaligned = members.map((m): Tensor => {
          const buffer = new Uint8Array(m.data.length + 1)
          buffer.set(m.data, 1)
          return { ...m, data: buffer.subarray(1) }
        })
        expect(Buffer.from(meanTensor(misaligned, 300).data).equals(expected), dtype).toBe(true)
      }
    })

    it('rounds F32 means half to even', () => {
      const a = f32Tensor([1, 1 + 2 ** -23, 0.1])
      const b = f32Tensor([1 + 2 ** -23, 1 + 2 ** -22, 0.2])
      const out = new Float32Array(meanTensor([a, b]).data.buffer)
      expect([...new Uint32Array(out.buffer)]).toEqual([
        0x3f800000,
        0x3f800002,
        new Uint32Array(Float32Array.of((Math.fround(0.1) + Math.fround(0.2)) / 2).buffer)[0],
      ])
    })

    it('computes F64 means in float64', () => {
      const f64 = (v: number[]): Tensor => ({
        dtype: 'F64',
        shape: [v.length],
        data: new Uint8Array(new Float64Array(v).buffer),
      })
      const out = meanTensor([f64([0.1, -0]), f64([0.2, -0])])
      expect([...new Float64Array(out.data.buffer)]).toEqual([(0.1 + 0.2) / 2, -0])
      expect(Object.is(new Float64Array(out.data.buffer)[1], -0)).toBe(true)
    })

    it('is bit-correct for F16: ties to even, subnormals, -0, max', () => {
      // Each array is one element position across the members.
      expect(
        mean16(
          'F16',
          [0x3c00, 0x3c01],
          [0x3c01, 0x3c02],
          [0x0001, 0x0002],
          [0x8000, 0x8000],
          [0x8000, 0x0000],
          [0x7bff, 0x7bff],
          [0xbc00, 0x3c00],
        ),
      ).toEqual([0x3c00, 0x3c02, 0x0002, 0x8000, 0x0000, 0x7bff, 0x0000])
      expect(mean16('F16', [0x3c00, 0x3c00, 0x3c01])).toEqual([0x3c00])
    })

    it('is bit-correct for BF16', () => {
      expect(mean16('BF16', [0x3f80, 0x3f81], [0x3f81, 0x3f82], [0x0001, 0x0002])).toEqual([
        0x3f80, 0x3f82, 0x0002,
      ])
    })

    it('is bit-correct for F8_E4M3 and F8_E5M2', () => {
      const e4 = meanTensor([
        bytes('F8_E4M3', [0x38, 0x39, 0x7e, 0x01]),
        bytes('F8_E4M3', [0x39, 0x3a, 0x7e, 0x02]),
      ])
      expect([...e4.data]).toEqual([0x38, 0x3a, 0x7e, 0x02])
      const e5 = meanTensor([
        bytes('F8_E5M2', [0x3c, 0x3d, 0x7b]),
        bytes('F8_E5M2', [0x3d, 0x3e, 0x7b]),
      ])
      expect([...e5.data]).toEqual([0x3c, 0x3e, 0x7b])
    })

    it("takes member 0's bytes where any member is NaN or infinite", () => {
      expect(mean16('F16', [0x7e01, 0x3c00], [0x3c00, 0x7c00], [0xfc00, 0x7c00])).toEqual([
        0x7e01, 0x3c00, 0xfc00,
      ])
      const e4 = meanTensor([bytes('F8_E4M3', [0x38, 0xff]), bytes('F8_E4M3', [0x7f, 0x38])])
      expect([...e4.data]).toEqual([0x38, 0xff])
    })

    it('rounds integers half to even and clamps', () => {
      expect([
        ...new Int8Array(meanTensor([bytes('I8', [0xfd, 1]), bytes('I8', [0xfc, 2])]).data.buffer),
      ]).toEqual([-4, 2])
      expect([...meanTensor([bytes('U8', [255, 0]), bytes('U8', [254, 1])]).data]).toEqual([254, 0])
      const i32 = (v: number[]): Tensor => ({
        dtype: 'I32',
        shape: [v.length],
        data: new Uint8Array(Int32Array.from(v).buffer),
      })
      expect([
        ...new Int32Array(meanTensor([i32([2147483647, -7]), i32([2147483646, -8])]).data.buffer),
      ]).toEqual([2147483646, -8])
      const i64 = (v: bigint[]): Tensor => ({
        dtype: 'I64',
        shape: [v.length],
        data: new Uint8Array(BigInt64Array.from(v).buffer),
      })
      const out = meanTensor([
        i64([2n ** 62n, -5n, 9007199254740993n]),
        i64([2n ** 62n + 1n, -6n, 9007199254740995n]),
      ])
      expect([...new BigInt64Array(out.data.buffer)]).toEqual([2n ** 62n, -6n, 9007199254740994n])
    })

    it('takes the BOOL majority, member 0 on a tie', () => {
      const out = meanTensor([
        bytes('BOOL', [1, 1, 0, 2]),
        bytes('BOOL', [0, 1, 1, 0]),
        bytes('BOOL', [1, 0, 0, 0]),
      ])
      expect([...out.data]).toEqual([1, 1, 0, 0])
      expect([...meanTensor([bytes('BOOL', [2, 0]), bytes('BOOL', [0, 1])]).data]).toEqual([1, 0])
    })

    it('gives the same bytes in small chunks, and keeps the shape', () => {
      const random = createRandom(1)
      const members = [0, 1, 2].map(() => f32Tensor(gaussians(100, random), [10, 10]))
      const whole = meanTensor(members)
      expect(meanTensor(members, 7).data).toEqual(whole.data)
      expect(whole.shape).toEqual([10, 10])
      expect(whole.dtype).toBe('F32')
    })

    it('handles 0-d and empty tensors', () => {
      expect([
        ...meanTensor([
          { dtype: 'U8', shape: [], data: Uint8Array.of(3) },
          { dtype: 'U8', shape: [], data: Uint8Array.of(5) },
        ]).data,
      ]).toEqual([4])
      expect(meanTensor([f32Tensor([], [0, 3]), f32Tensor([], [0, 3])]).data.byteLength).toBe(0)
    })

    it('rejects no members and mismatched members', () => {
      expect(() => meanTensor([])).toThrow(expect.objectContaining({ code: 'InvalidArgument' }))
      expect(() => meanTensor([f32Tensor([1, 2]), f32Tensor([1, 2, 3])])).toThrow(
        expect.objectContaining({ code: 'InvalidArgument' }),
      )
    })
  })

  describe('pickMedoid', () => {
    const random = createRandom(5)
    const base = gaussians(3000, random)
    const variants = [0.3, 0.5, 0.4, 0.6].map((noise) => {
      const g = gaussians(3000, random)
      return f32Tensor(base.map((v, i) => v + noise * g[i]!))
    })

    it('picks the member closest to all others, confirmed on full tensors', () => {
      const members = [...variants.slice(0, 2), f32Tensor(base), ...variants.slice(2)]
      const medoid = pickMedoid(members)
      expect(medoid).toMatchObject({ index: 2, basis: 'full' })
      expect(pickMedoid(members)).toEqual(medoid)
    })

    it('scores on sketches only above the full-check limit', () => {
      const members = [f32Tensor(base), ...variants]
      expect(pickMedoid(members, { fullCheckLimit: 3 })).toMatchObject({
        index: 0,
        basis: 'sketch',
      })
    })

    it('returns the only member of a group of one', () => {
      expect(pickMedoid([variants[0]!])).toEqual({ index: 0, score: 0, basis: 'full' })
    })
  })
})
