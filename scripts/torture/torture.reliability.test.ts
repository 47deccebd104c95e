/**
 * The short torture run the test suite carries: 10 SIGKILLs spread over a
 * `cluster migrate` of four bfloat16 checkpoints, each followed by the full
 * check (opens, bit-exact against the source files, validate or
 * validate --fix, the rerun completes). `npm run torture` runs the full
 * version (docs/RELIABILITY.md). Needs the CLI built (`npm run build:core`).
 */
import { describe, expect, it } from 'vitest'

import { formatTortureReport, runTorture } from '../torture.js'

describe('torture (short)', () => {
  it('survives 10 kill points in cluster migrate', async () => {
    const report = await runTorture({ killsPerOp: 10, seed: 1, ops: ['migrate'], small: true })
    const migrate = report.operations[0]!

    expect(migrate.trials, formatTortureReport(report)).toBe(10)
    expect(report.failures, formatTortureReport(report)).toBe(0)
    expect(migrate.survived).toBe(migrate.killPoints)
  }, 300_000)
})
