import { describe, expect, it } from 'vitest'

import type { Tensor } from '../tensor/tensor.js'
import { createRandom } from './random.js'
import { cosineSimilarity } from './similarity.js'
import { SketchBuilder, sketchCosine, sketchTensor } from './sketch.js'
import { f32Tensor, gaussians } from './synthetic.js'
import { toFloat64 } from './values.js'

function unitNorm(sketch: Float32Array): number {
  return Math.sqrt(sketch.reduce((s, v) => s + v * v, 0))
}

describe('cluster/sketch', () => {
  const random = createRandom(7)
  const big = f32Tensor(gaussians(10_000, random))

  it('is deterministic for a seed and changes with the seed', () => {
    const a = sketchTensor(big, { seed: 3 })
    expect(sketchTensor(big, { seed: 3 })).toEqual(a)
    expect(sketchTensor(big, { seed: 4 })).not.toEqual(a)
    expect(a.length).toBe(256)
    expect(unitNorm(a)).toBeCloseTo(1, 6)
  })

  it('does not depend on the chunk size', () => {
    expect(sketchTensor(big, { chunkElements: 333 })).toEqual(sketchTensor(big))
  })

  it('accepts chunks in any order', () => {
    const values = toFloat64(big)
    const builder = new SketchBuilder(values.length)
    for (let start = 9000; start >= 0; start -= 1000) {
      builder.add(values.subarray(start, start + 1000), start)
    }
    const reversed = builder.finish()
    const forward = sketchTensor(big)
    reversed.forEach((v, i) => expect(v).toBeCloseTo(forward[i]!, 6))
  })

  it('uses the values themselves, normalised, for tensors no larger than the sketch', () => {
    const sketch = sketchTensor(f32Tensor([3, 0, -4]), { dims: 8 })
    expect([...sketch]).toEqual([0.6, 0, -0.8, 0, 0, 0, 0, 0].map(Math.fround))
    expect([...sketchTensor(f32Tensor([0, 0]), { dims: 4 })]).toEqual([0, 0, 0, 0])
  })

  it('gives all-zero tensors an all-zero sketch and skips non-finite values', () => {
    expect(sketchTensor(f32Tensor(new Array(1000).fill(0))).every((v) => v === 0)).toBe(true)
    const values = Array.from(toFloat64(big))
    const holed = [...values]
    holed[5] = NaN
    holed[77] = Infinity
    const zeroed = [...values]
    zeroed[5] = 0
    zeroed[77] = 0
    expect(sketchTensor(f32Tensor(holed))).toEqual(sketchTensor(f32Tensor(zeroed)))
  })

  it('tracks the cosine of the full tensors', () => {
    const base = gaussians(20_000, random)
    for (const mix of [0, 0.1, 0.5, 1, 3]) {
      const noise = gaussians(20_000, random)
      const other = base.map((v, i) => v + mix * noise[i]!)
      const a = f32Tensor(base)
      const b = f32Tensor(other)
      const full = cosineSimilarity(a, b)
      const approx = sketchCosine(sketchTensor(a), sketchTensor(b))
      // Cosine distance within about 3 standard errors (sqrt(2/256) relative) plus slack.
      expect(Math.abs(1 - approx - (1 - full))).toBeLessThan(0.3 * (1 - full) + 0.05)
    }
  })

  it('works with non-power-of-two dims and other dtypes', () => {
    const f16: Tensor = { dtype: 'F16', shape: [600], data: new Uint8Array(1200).fill(0x3c) }
    const sketch = sketchTensor(f16, { dims: 100 })
    expect(sketch.length).toBe(100)
    expect(unitNorm(sketch)).toBeCloseTo(1, 6)
  })

  it('rejects bad options and out-of-range chunks', () => {
    expect(() => new SketchBuilder(10, { dims: 0 })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
    const builder = new SketchBuilder(10)
    expect(() => builder.add(new Float64Array(5), 8)).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
  })
})
