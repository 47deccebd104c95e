import { describe, expect, it } from 'vitest'

import { fixedKmeansSteps, kmeansPlusPlus, kmeansSteps } from './kmeans.js'
import { createRandom } from './random.js'
import { runSteps } from './steps.js'
import { gaussians } from './synthetic.js'
import { vectorCosine } from './vector.js'

/** `groups` tight blobs of `size` points around random unit directions in `dims`. */
function blobs(
  groups: number,
  size: number,
  dims: number,
  spread: number,
  seed: number,
): Float32Array[] {
  const random = createRandom(seed)
  const centers = Array.from({ length: groups }, () => gaussians(dims, random))
  const points: Float32Array[] = []
  for (let j = 0; j < size; j++) {
    for (const center of centers) {
      const noise = gaussians(dims, random)
      const p = Float32Array.from(center, (v, i) => v + spread * noise[i]!)
      const norm = Math.hypot(...p)
      points.push(p.map((v) => v / norm))
    }
  }
  return points
}

describe('cluster/kmeans', () => {
  const points = blobs(4, 10, 32, 0.05, 3)

  it('seeds k-means++ deterministically, one centre per separated blob', () => {
    const chosen = kmeansPlusPlus(points, 4, 9)
    expect(kmeansPlusPlus(points, 4, 9)).toEqual(chosen)
    expect(new Set(chosen.map((i) => i % 4)).size).toBe(4)
  })

  it('falls back to unchosen indices when all points coincide', () => {
    const same = [Float32Array.of(1, 0), Float32Array.of(1, 0), Float32Array.of(1, 0)]
    expect(kmeansPlusPlus(same, 3, 0).sort()).toEqual([0, 1, 2])
  })

  it('rejects k outside 1..n', () => {
    expect(() => kmeansPlusPlus(points, 0, 0)).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
    expect(() => kmeansPlusPlus(points, 41, 0)).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
  })

  it('partitions with a fixed k', () => {
    const assignments = runSteps(fixedKmeansSteps(points, 4, 1))
    for (let i = 0; i < points.length; i++) {
      expect(assignments[i]).toBe(assignments[i % 4])
    }
  })

  it('grows k until every member is within the threshold of its cluster mean', () => {
    for (const threshold of [0.5, 0.9, 0.99, 0.999]) {
      const result = runSteps(kmeansSteps(points, { threshold, seed: 2 }))
      for (const members of result.clusters) {
        const mean = new Array<number>(32).fill(0)
        for (const i of members) points[i]!.forEach((v, d) => (mean[d]! += v / members.length))
        for (const i of members) {
          // The final centroid is the mean of all points assigned, including any
          // dropped to standalone; allow a little slack for that.
          expect(vectorCosine(points[i]!, mean)).toBeGreaterThan(threshold - 0.01)
        }
      }
    }
    expect(runSteps(kmeansSteps(points, { threshold: 0.9 })).clusters.length).toBe(4)
  })
})
