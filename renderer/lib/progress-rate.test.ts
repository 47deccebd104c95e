import { describe, expect, it } from 'vitest'
import type { Progress } from '../../core/api/contract'
import { measureRates, percentDone } from './progress-rate'
import { RingBuffer } from './ring-buffer'

function sample(elapsedMs: number, done: number, bytesIn: number, phase = 'encode'): Progress {
  return { phase, done, total: 100, bytesIn, bytesOut: bytesIn / 2, elapsedMs }
}

describe('lib/progress-rate', () => {
  it('measures bytes and items per second over the window and derives the ETA', () => {
    const samples = [sample(0, 0, 0), sample(1000, 10, 1_000_000), sample(2000, 20, 2_000_000)]

    const rates = measureRates(samples)

    expect(rates.bytesInPerSecond).toBe(1_000_000)
    expect(rates.itemsPerSecond).toBe(10)
    expect(rates.etaMs).toBe(8000)
  })

  it('ignores samples older than the window', () => {
    const samples = [sample(0, 0, 0), sample(10_000, 50, 9_000_000), sample(12_000, 60, 9_200_000)]

    const rates = measureRates(samples, 5000)

    expect(rates.bytesInPerSecond).toBe(100_000)
    expect(rates.itemsPerSecond).toBe(5)
  })

  it('measures items only within the current phase', () => {
    const samples = [
      sample(0, 90, 0, 'sketch'),
      sample(1000, 2, 100, 'encode'),
      sample(2000, 6, 200, 'encode'),
    ]

    expect(measureRates(samples).itemsPerSecond).toBe(4)
  })

  it('has no rates from a single sample', () => {
    expect(measureRates([sample(5, 1, 1)])).toEqual({
      bytesInPerSecond: null,
      itemsPerSecond: null,
      etaMs: null,
    })
  })

  it('gives percent done, or null without a total', () => {
    expect(percentDone({ done: 1, total: 3 })).toBe(33)
    expect(percentDone({ done: 0, total: 0 })).toBeNull()
  })

  it('keeps only the newest items in the ring buffer, oldest first', () => {
    const ring = new RingBuffer<number>(3)
    for (let i = 1; i <= 5; i++) {
      ring.push(i)
    }
    expect(ring.toArray()).toEqual([3, 4, 5])
    expect(ring.last()).toBe(5)
    expect(ring.size).toBe(3)
  })
})
