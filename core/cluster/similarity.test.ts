import { describe, expect, it } from 'vitest'

import { CoralError } from '../errors.js'
import type { Tensor } from '../tensor/tensor.js'
import { createRandom } from './random.js'
import { cosineSimilarity, norm } from './similarity.js'
import { f32Tensor } from './synthetic.js'

function f64(values: number[]): Tensor {
  return {
    dtype: 'F64',
    shape: [values.length],
    data: new Uint8Array(new Float64Array(values).buffer),
  }
}

describe('cluster/similarity', () => {
  it('gives exactly 1 for identical tensors, 0 for orthogonal, -1 for opposite', () => {
    const a = f32Tensor([0.1, -0.7, 3.3, 1e-3])
    expect(cosineSimilarity(a, f32Tensor([0.1, -0.7, 3.3, 1e-3]))).toBe(1)
    expect(cosineSimilarity(f32Tensor([1, 0]), f32Tensor([0, 2]))).toBe(0)
    expect(cosineSimilarity(f32Tensor([1, 2]), f32Tensor([-1, -2]))).toBe(-1)
    expect(cosineSimilarity(f32Tensor([1, 0]), f32Tensor([1, 1]))).toBeCloseTo(Math.SQRT1_2, 15)
  })

  it('defines the all-zero cases: both zero is 1, one zero is 0', () => {
    expect(cosineSimilarity(f32Tensor([0, 0]), f32Tensor([0, -0]))).toBe(1)
    expect(cosineSimilarity(f32Tensor([0, 0]), f32Tensor([0, 1]))).toBe(0)
    expect(cosineSimilarity(f32Tensor([]), f32Tensor([]))).toBe(1)
  })

  it('leaves NaN and infinite element pairs out of every sum', () => {
    expect(cosineSimilarity(f32Tensor([1, NaN, 2]), f32Tensor([1, 5, 2]))).toBe(1)
    expect(cosineSimilarity(f32Tensor([1, 3, 2]), f32Tensor([1, -Infinity, 2]))).toBe(1)
    expect(norm(f32Tensor([3, NaN, 4, Infinity]))).toBe(5)
  })

  it('gives the same result in small chunks as in one pass', () => {
    const a = f32Tensor(Array.from({ length: 1000 }, (_, i) => Math.sin(i)))
    const b = f32Tensor(Array.from({ length: 1000 }, (_, i) => Math.sin(i) + Math.cos(i * 7) * 0.1))
    expect(cosineSimilarity(a, b, 7)).toBe(cosineSimilarity(a, b))
    expect(norm(a, 7)).toBe(norm(a))
  })

  it('compares BF16 and integer tensors by value', () => {
    const one = {
      dtype: 'BF16',
      shape: [2],
      data: Uint8Array.from([0x80, 0x3f, 0x00, 0x00]),
    } as const
    const two = {
      dtype: 'BF16',
      shape: [2],
      data: Uint8Array.from([0x00, 0x40, 0x00, 0x00]),
    } as const
    expect(cosineSimilarity(one, two)).toBe(1)
    const i8a = { dtype: 'I8', shape: [2], data: Uint8Array.from([1, 0]) } as const
    const i8b = { dtype: 'I8', shape: [2], data: Uint8Array.from([0, 0xff]) } as const
    expect(cosineSimilarity(i8a, i8b)).toBe(0)
  })

  it('reads aligned float tensors directly with the same bits as the chunked path', () => {
    const random = createRandom(3)
    for (const [dtype, size] of [
      ['F32', 4],
      ['F64', 8],
      ['F16', 2],
      ['BF16', 2],
    ] as const) {
      for (let round = 0; round < 20; round++) {
        const count = 1 + Math.floor(random() * 3000)
        // Random bit patterns (NaN, infinities, subnormals, -0), and a near copy of
        // them in even rounds (low mantissa bits flipped), other random bits in odd ones.
        const randomBytes = () =>
          Uint8Array.from({ length: count * size }, () => Math.floor(random() * 256))
        const bits = randomBytes()
        const near =
          round % 2 === 0
            ? bits.map((byte, i) => (i % size === 0 && random() < 0.5 ? byte ^ 1 : byte))
            : randomBytes()
        const aligned = (bytes: Uint8Array): Tensor => ({ dtype, shape: [count], data: bytes })
        // One byte into a larger buffer: no typed view fits, so the chunked path decodes it.
        const misaligned = (bytes: Uint8Array): Tensor => {
          const buffer = new Uint8Array(bytes.length + 1)
          buffer.set(bytes, 1)
          return { dtype, shape: [count], data: buffer.subarray(1) }
        }
        const direct = cosineSimilarity(aligned(bits), aligned(near))
        const chunked = cosineSimilarity(misaligned(bits), misaligned(near), 257)
        expect(Object.is(direct, chunked), `${dtype} round ${round}`).toBe(true)
      }
    }
  })

  it('refuses a tensor whose bytes do not match its shape on either path', () => {
    const short = { dtype: 'F32', shape: [4], data: new Uint8Array(12) } as const
    const full = { dtype: 'F32', shape: [4], data: new Uint8Array(16) } as const
    expect(() => cosineSimilarity(full, short)).toThrow(CoralError)
    expect(() => cosineSimilarity(short, full)).toThrow(CoralError)
  })

  it('survives F64 values whose squares overflow', () => {
    expect(cosineSimilarity(f64([1e200, 1e200]), f64([1e200, 1e200]))).toBe(1)
    expect(cosineSimilarity(f64([1e200, 0]), f64([1e200, 1e200]))).toBeCloseTo(Math.SQRT1_2, 12)
    expect(norm(f64([3e200, 4e200])) / 5e200).toBeCloseTo(1, 12)
  })

  it('refuses tensors of different dtype or shape', () => {
    const a = f32Tensor([1, 2, 3, 4], [2, 2])
    expect(() => cosineSimilarity(a, f32Tensor([1, 2, 3, 4], [4]))).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
    expect(() => cosineSimilarity(f32Tensor([1, 2]), f64([1, 2]))).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
  })
})
