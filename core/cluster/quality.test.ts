import { describe, expect, it } from 'vitest'

import { clusterQuality, groupByLayout, groupKey } from './quality.js'
import { f32Tensor } from './synthetic.js'

describe('cluster/quality', () => {
  it('averages member-to-reference cosine, skipping the reference itself', () => {
    const reference = f32Tensor([1, 0])
    const quality = clusterQuality([
      { reference, members: [reference, f32Tensor([1, 1]), f32Tensor([2, 0])] },
      { reference: f32Tensor([0, 1]), members: [f32Tensor([1, 0])] },
    ])
    expect(quality.members).toBe(3)
    expect(quality.meanSimilarity).toBeCloseTo((Math.SQRT1_2 + 1 + 0) / 3, 12)
    expect(quality.minSimilarity).toBe(0)
  })

  it('is 0 when nothing is clustered', () => {
    expect(clusterQuality([])).toEqual({ meanSimilarity: 0, minSimilarity: 0, members: 0 })
  })

  it('formats group keys as users read them', () => {
    expect(groupKey('F32', [128, 64])).toBe('F32[128, 64]')
    expect(groupKey('BF16', [])).toBe('BF16[]')
  })

  it('groups by dtype and shape, largest group first', () => {
    const items = [
      { dtype: 'F32', shape: [4] },
      { dtype: 'F32', shape: [2, 2] },
      { dtype: 'F16', shape: [4] },
      { dtype: 'F32', shape: [2, 2] },
    ] as const
    const groups = groupByLayout(items, (item) => item)
    expect(groups.map((g) => [g.key, g.items.length])).toEqual([
      ['F32[2, 2]', 2],
      ['F16[4]', 1],
      ['F32[4]', 1],
    ])
  })
})
