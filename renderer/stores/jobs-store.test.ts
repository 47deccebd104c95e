import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setBridge } from '../lib/current-bridge'
import { createFakeBridge, type FakeBridge } from '../test/fake-bridge'
import { makeMigrationReport } from '../test/fixtures'
import { resetStores } from '../test/reset-stores'
import { cancelJob, runJob, SAMPLE_CAPACITY, setFrameScheduler, useJobsStore } from './jobs-store'

describe('stores/jobs-store', () => {
  let fake: FakeBridge
  let frames: (() => void)[]

  beforeEach(() => {
    fake = createFakeBridge()
    setBridge(fake)
    frames = []
    setFrameScheduler((flush) => frames.push(flush))
  })
  afterEach(resetStores)

  it('batches progress events into one store update per frame', async () => {
    const running = runJob('migrate', 'Migrating', 'migrate', {
      strategy: 'kmeans',
      threshold: 0.9,
      backup: true,
      dryRun: false,
      batchSize: 64,
      force: false,
    })
    let updates = 0
    const unsubscribe = useJobsStore.subscribe(() => updates++)

    for (let i = 1; i <= 5; i++) {
      fake.last('migrate').emit({ done: i, total: 10, bytesIn: i * 100, elapsedMs: i * 100 })
    }

    expect(updates).toBe(0)
    expect(frames).toHaveLength(1)
    frames[0]?.()
    expect(updates).toBe(1)
    const job = useJobsStore.getState().jobs.migrate
    expect(job?.progress?.done).toBe(5)
    expect(job?.samples.map((s) => s.bytesIn)).toEqual([100, 200, 300, 400, 500])

    unsubscribe()
    fake.last('migrate').resolve(makeMigrationReport(true))
    await running
    expect(useJobsStore.getState().jobs.migrate?.running).toBe(false)
  })

  it('keeps only the last SAMPLE_CAPACITY samples', () => {
    runJob('analyze', 'Analysing', 'analyze', { strategy: 'kmeans', threshold: 0.9 }).catch(
      () => {},
    )
    const call = fake.last('analyze')

    for (let i = 0; i < SAMPLE_CAPACITY + 50; i++) {
      call.emit({ done: i, total: 1000, elapsedMs: i })
    }
    frames.forEach((flush) => flush())

    const samples = useJobsStore.getState().jobs.analyze?.samples ?? []
    expect(samples).toHaveLength(SAMPLE_CAPACITY)
    expect(samples[0]?.done).toBe(50)
    expect(samples.at(-1)?.done).toBe(SAMPLE_CAPACITY + 49)
  })

  it('cancelJob calls the request cancel and the job rejects with Cancelled', async () => {
    const running = runJob('analyze', 'Analysing', 'analyze', {
      strategy: 'kmeans',
      threshold: 0.9,
    })

    cancelJob('analyze')

    expect(fake.last('analyze').cancelled).toBe(true)
    await expect(running).rejects.toMatchObject({ code: 'Cancelled' })
  })

  it('a newer job under the same key cancels the older one and ignores its progress', async () => {
    const first = runJob('preview', 'Dry run', 'dryRun', { strategy: 'kmeans', threshold: 0.9 })
    const firstCall = fake.last('dryRun')
    runJob('preview', 'Dry run', 'dryRun', { strategy: 'kmeans', threshold: 0.95 }).catch(() => {})

    expect(firstCall.cancelled).toBe(true)
    await expect(first).rejects.toMatchObject({ code: 'Cancelled' })
    firstCall.emit({ done: 99, total: 100 })
    frames.forEach((flush) => flush())
    expect(useJobsStore.getState().jobs.preview?.progress).toBeNull()
    expect(useJobsStore.getState().jobs.preview?.running).toBe(true)
  })
})
