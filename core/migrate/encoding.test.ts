import { beforeAll, describe, expect, it } from 'vitest'

import { ensureZstd } from '../codec/zstd.js'
import { nudgedF32 } from '../test/tensors.js'
import {
  deltaObject,
  encodedSize,
  ESTIMATE_SAMPLE_ELEMENTS,
  estimatedDeltaBytes,
} from './encoding.js'

/** A float32 tensor of `count` weight-like values (a smooth spread with a fixed seed). */
function weights(count: number): Float32Array {
  const values = new Float32Array(count)
  for (let i = 0; i < count; i++) values[i] = Math.sin(i * 0.618) * 0.05
  return values
}

describe('delta size estimates', () => {
  beforeAll(ensureZstd)

  it('encodes small tensors whole and says the figure is exact', () => {
    const base = weights(2 * ESTIMATE_SAMPLE_ELEMENTS)
    const a = nudgedF32(base, 0.02, 1, [base.length])
    const b = nudgedF32(base, 0.02, 2, [base.length])
    const exact = encodedSize(deltaObject(a, b, 'b'.repeat(64), 0.99, 1000))

    const estimate = estimatedDeltaBytes(a, b, 'b'.repeat(64), 0.99, 1000)

    expect(estimate).toMatchObject({ bytes: exact, exact: true })
    expect(encodedSize(estimate.encoded!)).toBe(exact)
  })

  it('estimates a large delta from a sample, close to the full encoding', () => {
    const base = weights(40 * ESTIMATE_SAMPLE_ELEMENTS)
    const a = nudgedF32(base, 0.02, 1, [base.length / 64, 64])
    const b = nudgedF32(base, 0.02, 2, [base.length / 64, 64])
    const exact = encodedSize(deltaObject(a, b, 'b'.repeat(64), 0.99, 1000))

    const estimate = estimatedDeltaBytes(a, b, 'b'.repeat(64), 0.99, 1000)

    expect(estimate.exact).toBe(false)
    expect(Math.abs(estimate.bytes / exact - 1)).toBeLessThan(0.05)
  })
})
