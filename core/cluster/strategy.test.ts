import { describe, expect, it } from 'vitest'

import { sketchTensor } from './sketch.js'
import {
  CLUSTER_STRATEGIES,
  clusterSketches,
  clusterSketchesAsync,
  proposeStrategies,
} from './strategy.js'
import { syntheticFamilies } from './synthetic.js'

/** The family partition as canonical clusters (sorted members, ordered by first). */
function familyClusters(family: number[]): number[][] {
  const groups = new Map<number, number[]>()
  family.forEach((f, i) => groups.set(f, [...(groups.get(f) ?? []), i]))
  return [...groups.values()].sort((a, b) => a[0]! - b[0]!)
}

/** An AbortSignal that reports aborted from its `after`-th check on. */
function abortAfter(after: number): AbortSignal {
  let checks = 0
  return {
    get aborted() {
      return ++checks > after
    },
  } as AbortSignal
}

describe('cluster/strategy', () => {
  const { tensors, family } = syntheticFamilies({
    families: 3,
    members: 8,
    elements: 4096,
    noise: 0.1,
    shared: 0.7,
    seed: 11,
  })
  const sketches = tensors.map((t) => sketchTensor(t))

  for (const strategy of CLUSTER_STRATEGIES) {
    describe(strategy, () => {
      it('recovers three families of noisy copies', () => {
        const result = clusterSketches(sketches, { strategy, threshold: 0.9, seed: 1 })

        expect(result.clusters).toEqual(familyClusters(family))
        expect(result.labels.every((label) => label >= 0)).toBe(true)
        expect(result.standalone).toEqual([])
        expect(result.strategy).toBe(strategy)
        expect(result.fallback).toBeNull()
      })

      it('is deterministic for a seed', () => {
        const a = clusterSketches(sketches, { strategy, threshold: 0.95, seed: 5 })
        const b = clusterSketches(sketches, { strategy, threshold: 0.95, seed: 5 })
        expect(b).toEqual(a)
      })

      it('puts only identical tensors together at threshold 1', () => {
        const withCopies = [...sketches, sketches[4]!, sketches[9]!, sketches[4]!]
        const result = clusterSketches(withCopies, { strategy, threshold: 1 })

        expect(result.clusters).toEqual([
          [4, 24, 26],
          [9, 25],
        ])
      })

      it('allows everything at threshold 0', () => {
        const result = clusterSketches(sketches, { strategy, threshold: 0 })
        expect(result.clusters).toEqual([sketches.map((_, i) => i)])
      })

      it('handles empty input and groups of one', () => {
        expect(clusterSketches([], { strategy, threshold: 0.9 })).toEqual({
          labels: [],
          clusters: [],
          standalone: [],
          strategy,
          fallback: null,
        })
        const one = clusterSketches([sketches[0]!], { strategy, threshold: 0.9 })
        expect(one.labels).toEqual([-1])
        expect(one.standalone).toEqual([0])
      })

      it('throws Cancelled when the signal fires, before or during the run', async () => {
        const controller = new AbortController()
        controller.abort()
        expect(() =>
          clusterSketches(sketches, { strategy, threshold: 0.9, signal: controller.signal }),
        ).toThrow(expect.objectContaining({ code: 'Cancelled' }))
        expect(() =>
          clusterSketches(sketches, { strategy, threshold: 0.9, signal: abortAfter(3) }),
        ).toThrow(expect.objectContaining({ code: 'Cancelled' }))
        await expect(
          clusterSketchesAsync(sketches, { strategy, threshold: 0.9, signal: abortAfter(3) }),
        ).rejects.toMatchObject({ code: 'Cancelled' })
      })

      it('gives the same result asynchronously', async () => {
        const sync = clusterSketches(sketches, { strategy, threshold: 0.9 })
        expect(await clusterSketchesAsync(sketches, { strategy, threshold: 0.9 })).toEqual(sync)
      })
    })
  }

  it('rejects bad options with InvalidArgument', () => {
    const bad = [
      { strategy: 'kmeans', threshold: 1.5 },
      { strategy: 'kmeans', threshold: NaN },
      { strategy: 'adaptive', threshold: 0.9 },
      { strategy: 'kmeans', threshold: 0.9, seed: 0.5 },
    ] as const
    for (const options of bad) {
      expect(() => clusterSketches(sketches, options as never)).toThrow(
        expect.objectContaining({ code: 'InvalidArgument' }),
      )
    }
    expect(() =>
      clusterSketches([sketches[0]!, new Float32Array(3)], { strategy: 'dbscan', threshold: 0.9 }),
    ).toThrow(expect.objectContaining({ code: 'InvalidArgument' }))
  })

  it('proposes candidate strategies by group size', () => {
    expect(proposeStrategies(1)).toEqual([])
    expect(proposeStrategies(10)[0]).toBe('hierarchical')
    expect(proposeStrategies(50_000)[0]).toBe('kmeans')
    expect([...proposeStrategies(10)].sort()).toEqual([...CLUSTER_STRATEGIES].sort())
  })
})
