import { describe, expect, it } from 'vitest'

import { mapConcurrent } from './concurrency.js'

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('mapConcurrent', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0
    let most = 0
    const out = await mapConcurrent([5, 1, 4, 2, 3], 2, async (x) => {
      most = Math.max(most, ++running)
      await tick(x)
      running--
      return x * 10
    })

    expect(out).toEqual([50, 10, 40, 20, 30])
    expect(most).toBe(2)
  })

  it('throws the first error only after the calls in flight have settled, and starts no new one', async () => {
    const finished: number[] = []
    const started: number[] = []

    const outcome = mapConcurrent([0, 1, 2, 3], 2, async (x) => {
      started.push(x)
      if (x === 0) throw new Error('first failed')
      await tick(30)
      finished.push(x)
      return x
    })

    await expect(outcome).rejects.toThrow('first failed')
    expect(finished).toEqual([1])
    expect(started).toEqual([0, 1])
  })
})
