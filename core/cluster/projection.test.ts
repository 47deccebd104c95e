import { describe, expect, it } from 'vitest'

import { projectSketches } from './projection.js'
import { sampleIndices } from './random.js'
import { sketchTensor } from './sketch.js'
import { syntheticFamilies } from './synthetic.js'

describe('cluster/projection', () => {
  const { tensors, family } = syntheticFamilies({
    families: 3,
    members: 10,
    elements: 2048,
    noise: 0.2,
    shared: 0.3,
    seed: 8,
  })
  const sketches = tensors.map((t) => sketchTensor(t))

  it('is deterministic and separates families on the map', () => {
    const map = projectSketches(sketches)
    expect(projectSketches(sketches)).toEqual(map)
    expect(map.total).toBe(30)
    expect(map.points.map((p) => p.index)).toEqual(sketches.map((_, i) => i))

    // Every point is nearer its own family's centre than any other family's.
    const centres = [0, 1, 2].map((f) => {
      const own = map.points.filter((p) => family[p.index] === f)
      return [
        own.reduce((s, p) => s + p.x, 0) / own.length,
        own.reduce((s, p) => s + p.y, 0) / own.length,
      ]
    })
    for (const p of map.points) {
      const d = centres.map(([x, y]) => Math.hypot(p.x - x!, p.y - y!))
      expect(d.indexOf(Math.min(...d))).toBe(family[p.index])
    }
  })

  it('caps the points with a deterministic sample', () => {
    const map = projectSketches(sketches, { cap: 7, seed: 3 })
    expect(map).toMatchObject({ total: 30, cap: 7 })
    expect(map.points.map((p) => p.index)).toEqual(sampleIndices(30, 7, 3))
    expect(projectSketches(sketches, { cap: 7, seed: 3 })).toEqual(map)
  })

  it('maps degenerate inputs to finite points', () => {
    expect(projectSketches([])).toEqual({ points: [], total: 0, cap: 2000 })
    expect(projectSketches([sketches[0]!]).points).toEqual([{ index: 0, x: 0, y: 0 }])
    const same = projectSketches([sketches[0]!, sketches[0]!, sketches[0]!])
    expect(same.points.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(true)
  })

  it('rejects a bad cap', () => {
    expect(() => projectSketches(sketches, { cap: 0 })).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
  })
})
