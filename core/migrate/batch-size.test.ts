import { readFileSync, writeFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { collectCandidates } from './candidates.js'
import { BATCH_SIZE_BEFORE_PLANS_RECORDED_IT, journalPath, readJournal } from './journal.js'
import { migrate } from './migrate.js'
import {
  buildStoragePlan,
  DEFAULT_BATCH_BYTES,
  defaultBatchSize,
  MIN_DEFAULT_BATCH_SIZE,
} from './planner.js'
import { expectBitExact, trajectoryRepo } from './test-repos.js'

describe('migrate/batch size', () => {
  it('defaults to as many of the largest tensor as fit in 256 MiB, at least 8', () => {
    expect(DEFAULT_BATCH_BYTES).toBe(256 * 1024 * 1024)
    expect(defaultBatchSize(256 * 1024)).toBe(1024)
    expect(defaultBatchSize(3 * 1024 * 1024)).toBe(85)
    expect(defaultBatchSize(1024 * 1024 * 1024)).toBe(MIN_DEFAULT_BATCH_SIZE)
    expect(defaultBatchSize(100 * 1024 * 1024)).toBe(8)
    expect(MIN_DEFAULT_BATCH_SIZE).toBe(8)
  })

  it('records the batch size a plan used: the given one, or the default for the repository', async () => {
    const { repo } = await trajectoryRepo({ checkpoints: 3 })
    const largest = Math.max(
      ...[...(await collectCandidates(repo)).candidates.values()].map((c) => c.rawBytes),
    )

    const given = await buildStoragePlan(repo, { strategy: 'kmeans', threshold: 0.5, batchSize: 5 })
    const automatic = await buildStoragePlan(repo, { strategy: 'kmeans', threshold: 0.5 })

    expect(given.plan.batchSize).toBe(5)
    expect(automatic.plan.batchSize).toBe(defaultBatchSize(largest))
  })

  it('resumes a journal written before plans recorded their batch size with a batch of 64', async () => {
    const { repo, expected } = await trajectoryRepo({ checkpoints: 4 })
    const controller = new AbortController()
    await migrate(
      repo,
      { strategy: 'kmeans', threshold: 0.5 },
      {
        signal: controller.signal,
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.phase === 'migrate') controller.abort()
        },
      },
    ).catch(() => undefined)
    const file = journalPath(repo)
    const written = JSON.parse(readFileSync(file, 'utf8')) as { plan: Record<string, unknown> }
    expect(written.plan['batchSize']).toBeGreaterThan(BATCH_SIZE_BEFORE_PLANS_RECORDED_IT)
    delete written.plan['batchSize']
    writeFileSync(file, JSON.stringify(written))

    expect((await readJournal(repo))!.plan.batchSize).toBe(BATCH_SIZE_BEFORE_PLANS_RECORDED_IT)
    expect(BATCH_SIZE_BEFORE_PLANS_RECORDED_IT).toBe(64)
    const resumed = await migrate(repo, { strategy: 'kmeans', threshold: 0.5 })
    expect(resumed.resumed).toBe(true)
    expect(resumed.validation.ok).toBe(true)
    await expectBitExact(repo, expected)
  })
})
