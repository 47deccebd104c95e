import { describe, expect, it } from 'vitest'

import { cutDendrogram, dendrogramSteps, hierarchicalSteps } from './hierarchical.js'
import { createRandom } from './random.js'
import { sketchCosine, sketchTensor } from './sketch.js'
import { runSteps } from './steps.js'
import { gaussians, syntheticFamilies } from './synthetic.js'

function randomUnit(count: number, dims: number, seed: number): Float32Array[] {
  const random = createRandom(seed)
  return Array.from({ length: count }, () => {
    const g = gaussians(dims, random).map((v) => v + 1)
    const norm = Math.hypot(...g)
    return Float32Array.from(g, (v) => v / norm)
  })
}

describe('cluster/hierarchical', () => {
  const points = randomUnit(60, 16, 4)

  it('builds n - 1 merges with similarities that never increase up the tree', () => {
    const dendrogram = runSteps(dendrogramSteps(points))
    expect(dendrogram.merges.length).toBe(59)
    expect(dendrogram.merges.at(-1)!.size).toBe(60)
    // A merge's similarity is at most that of the merges that built either side.
    for (const linkage of ['complete', 'average'] as const) {
      const height = new Float64Array(60).fill(Infinity)
      for (const merge of runSteps(dendrogramSteps(points, linkage)).merges) {
        expect(merge.similarity).toBeLessThanOrEqual(height[merge.a]! + 1e-12)
        expect(merge.similarity).toBeLessThanOrEqual(height[merge.b]! + 1e-12)
        height[Math.min(merge.a, merge.b)] = merge.similarity
      }
    }
  })

  it('keeps every pair of a complete-linkage cluster above the threshold', () => {
    for (const threshold of [0.5, 0.7, 0.8, 0.9]) {
      const result = runSteps(hierarchicalSteps(points, { threshold }))
      for (const members of result.clusters) {
        for (const i of members) {
          for (const j of members) {
            expect(sketchCosine(points[i]!, points[j]!)).toBeGreaterThanOrEqual(threshold - 1e-9)
          }
        }
      }
    }
  })

  it('refines the partition as the threshold rises', () => {
    for (const linkage of ['complete', 'average'] as const) {
      const dendrogram = runSteps(dendrogramSteps(points, linkage))
      const coarse = cutDendrogram(dendrogram, 0.6)
      const fine = cutDendrogram(dendrogram, 0.8)
      const coarseOf = new Map<number, number>()
      coarse.forEach((group, g) => group.forEach((i) => coarseOf.set(i, g)))
      for (const group of fine) {
        expect(new Set(group.map((i) => coarseOf.get(i))).size).toBe(1)
      }
      expect(fine.length).toBeGreaterThanOrEqual(coarse.length)
    }
  })

  it('links by mean similarity with average linkage', () => {
    // a-b cosine 0.98; c has cosine 0.8 to a and 0.7 to b: average 0.75, complete 0.7.
    const a = Float32Array.of(1, 0, 0)
    const b = Float32Array.of(0.98, Math.sqrt(1 - 0.98 ** 2), 0)
    const cx = 0.8
    const cy = (0.7 - cx * b[0]!) / b[1]!
    const c = Float32Array.of(cx, cy, Math.sqrt(Math.max(0, 1 - cx * cx - cy * cy)))
    const average = runSteps(hierarchicalSteps([a, b, c], { threshold: 0.72, linkage: 'average' }))
    const complete = runSteps(
      hierarchicalSteps([a, b, c], { threshold: 0.72, linkage: 'complete' }),
    )
    expect(average.clusters).toEqual([[0, 1, 2]])
    expect(complete.clusters).toEqual([[0, 1]])
  })

  it('partitions with k-means above the size limit and says so', () => {
    const { tensors, family } = syntheticFamilies({
      families: 3,
      members: 8,
      elements: 2048,
      noise: 0.1,
      shared: 0.3,
      seed: 2,
    })
    const sketches = tensors.map((t) => sketchTensor(t))
    const result = runSteps(hierarchicalSteps(sketches, { threshold: 0.9, limit: 12, seed: 1 }))
    expect(result.fallback).toBe('kmeans-partition')
    for (const members of result.clusters) {
      expect(members.length).toBeLessThanOrEqual(12)
      expect(new Set(members.map((i) => family[i])).size).toBe(1)
    }
    const unbounded = runSteps(hierarchicalSteps(sketches, { threshold: 0.9 }))
    expect(unbounded.fallback).toBeNull()
  })

  it('rejects a limit below 2', () => {
    expect(() => runSteps(hierarchicalSteps(points, { threshold: 0.5, limit: 1 }))).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    )
  })
})
