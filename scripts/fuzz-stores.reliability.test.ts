/**
 * The short store fuzz the test suite carries (inline, no worker): every
 * target of scripts/fuzz-stores.ts: 100 cases per store file (1,000 in all)
 * and 30 per Python-Coral file kind. Every case must
 * end in a documented CoralError or a correct result.
 */
import { describe, expect, it } from 'vitest'

import { STORE_TARGETS, formatStoreFuzzReport, runStoreFuzz } from './fuzz-stores.js'

const CORAL_CASES = 100
const PYTHON_CASES = 30

describe('scripts/fuzz-stores (short)', () => {
  it('ends every mutated store file in a documented error or a correct result', async () => {
    const coral = STORE_TARGETS.filter((t) => t !== 'py-json' && t !== 'hdf5')
    // Inline, the RSS is the whole test process's (HDF5 reader threads restarted
    // after each abort included); the memory bound is checked by the full run.
    const unbounded = { timeoutMs: 10_000, rssBoundBytes: Number.POSITIVE_INFINITY }
    const a = await runStoreFuzz({ cases: CORAL_CASES, seed: 7, targets: coral, ...unbounded })
    const b = await runStoreFuzz({
      cases: PYTHON_CASES,
      seed: 7,
      targets: ['py-json', 'hdf5'],
      ...unbounded,
    })
    const targets = [...a.targets, ...b.targets]
    const text = formatStoreFuzzReport({ seed: 7, targets, failures: a.failures + b.failures })

    expect(targets.map((t) => t.cases)).toEqual([
      ...coral.map(() => CORAL_CASES),
      PYTHON_CASES,
      PYTHON_CASES,
    ])
    expect(
      targets.flatMap((t) => t.failures),
      text,
    ).toEqual([])
  }, 300_000)
})
