import { describe, expect, it } from 'vitest'

import { makeCase, runFuzz } from './fuzz-formats.js'

describe('scripts/fuzz-formats', () => {
  it('survives 1,000 mutated inputs per format with only documented errors', async () => {
    const report = await runFuzz({ cases: 1000, seed: 7 })

    expect(report.formats.map((f) => f.cases)).toEqual([1000, 1000, 1000, 1000])
    expect(report.failures, JSON.stringify(report.formats.flatMap((f) => f.failures))).toBe(0)
  })

  it('derives each case from its seed alone', () => {
    const seeds = [new Uint8Array(300).map((_, i) => i)]

    const a = makeCase(seeds, 3, 'npy', 41)
    const b = makeCase(seeds, 3, 'npy', 41)
    const c = makeCase(seeds, 3, 'npy', 42)

    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false)
  })
})
