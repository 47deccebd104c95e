import { describe, expect, it } from 'vitest'

import { collectCandidates } from './candidates.js'
import { someNearestNeighbourPays } from './delta-screen.js'
import { deltaObject, encodedSize, standaloneObject } from './encoding.js'
import { buildStoragePlan } from './planner.js'
import { trajectoryRepo } from './test-repos.js'
import { cosineSimilarity } from '../cluster/similarity.js'

const unit = (...values: number[]) => {
  const norm = Math.hypot(...values)
  return Float32Array.from(values, (v) => v / norm)
}

describe('migrate/delta screen', () => {
  it('tries each member against its sketch-nearest neighbour and stops at the first that pays', async () => {
    const sketches = [unit(1, 0, 0), unit(0, 1, 0), unit(0.9, 0.1, 0), unit(0, 0.95, 0.05)]
    const tried: [number, number][] = []
    const pays = async (member: number, base: number) => {
      tried.push([member, base])
      return member === 1
    }

    expect(await someNearestNeighbourPays(sketches, pays)).toBe(true)
    expect(tried).toEqual([
      [0, 2],
      [1, 3],
    ])
  })

  it('says no when no member pays against its nearest neighbour, after trying every member', async () => {
    const sketches = [unit(1, 0), unit(0, 1), unit(1, 0.1)]
    const tried: number[] = []

    const result = await someNearestNeighbourPays(sketches, async (member) => {
      tried.push(member)
      return false
    })

    expect(result).toBe(false)
    expect(tried).toEqual([0, 1, 2])
  })

  it('still tries a base when every cosine is NaN', async () => {
    const nan = Float32Array.of(Number.NaN, Number.NaN)
    const tried: [number, number][] = []

    await someNearestNeighbourPays([nan, nan], async (member, base) => {
      tried.push([member, base])
      return false
    })

    expect(tried).toEqual([
      [0, 1],
      [1, 0],
    ])
  })

  it('stops when cancelled', async () => {
    const controller = new AbortController()
    controller.abort()
    await expect(
      someNearestNeighbourPays([unit(1, 0), unit(0, 1)], async () => false, controller.signal),
    ).rejects.toMatchObject({ code: 'Cancelled' })
  })

  it('leaves a group standalone, unclustered, only when no delta in it could pay', async () => {
    // Four versions of a 32-value bias: nearly identical, yet too small for
    // a delta's header to be paid back.
    const { repo } = await trajectoryRepo({ checkpoints: 4 })
    const { report } = await buildStoragePlan(repo, { strategy: 'adaptive', threshold: 0.5 })
    const bias = report.groupBreakdown.find((g) => g.group === 'F32[32]')!
    const weights = report.groupBreakdown.find((g) => g.group === 'F32[32, 64]')!

    expect(bias).toMatchObject({ tensors: 4, clusters: 0, clustered: 0, strategyUsed: 'none' })
    expect(weights.clusters).toBeGreaterThan(0)
    expect(weights.strategyUsed).not.toBe('none')

    // Skipping the bias group lost nothing: every pair, either way round, is
    // at least as small standalone.
    const set = await collectCandidates(repo)
    const group = set.groups.find((g) => g.key === 'F32[32]')!
    const tensors = await Promise.all(group.ids.map((id) => repo.objects.read(id)))
    let pairs = 0
    for (const [i, tensor] of tensors.entries()) {
      const standalone = encodedSize(standaloneObject(tensor))
      for (const [j, base] of tensors.entries()) {
        if (i === j) continue
        const similarity = cosineSimilarity(tensor, base)
        expect(similarity).toBeGreaterThan(0.5)
        const delta = deltaObject(tensor, base, group.ids[j]!, similarity, standalone)
        expect(encodedSize(delta)).toBeGreaterThanOrEqual(standalone)
        pairs++
      }
    }
    expect(pairs).toBe(12)
  })
})
