import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setBridge } from '../lib/current-bridge'
import { createFakeBridge, type FakeBridge } from '../test/fake-bridge'
import { makeMigrationReport, makeSummary } from '../test/fixtures'
import { resetStores } from '../test/reset-stores'
import { useAppStore } from './app-store'
import { flushProgress, setFrameScheduler, useJobsStore } from './jobs-store'
import { useMigrateStore } from './migrate-store'
import { useRepoStore } from './repo-store'
import { useTuningStore } from './tuning-store'

describe('stores/migrate-store', () => {
  let fake: FakeBridge

  beforeEach(() => {
    fake = createFakeBridge()
    setBridge(fake)
    setFrameScheduler(() => {})
  })
  afterEach(resetStores)

  it('starts with backup on, the automatic batch size and no force', () => {
    const { form } = useMigrateStore.getState()

    expect(form.backup).toBe(true)
    expect(form.batchSize).toBeUndefined()
    expect(form.force).toBe(false)
  })

  it('sends the form with dryRun false, accumulates progress, then keeps the report', async () => {
    useTuningStore.setState({ strategy: 'dbscan', threshold: 0.955 })
    useMigrateStore.getState().syncFromTuning()
    useRepoStore.setState({ summary: makeSummary() })
    fake.autoRespond('summary', makeSummary())
    fake.autoRespond('log', [])
    fake.autoRespond('listTensors', [])

    const running = useMigrateStore.getState().start()
    const call = fake.last('migrate')
    call.emit({ phase: 'encode', done: 1, total: 4, bytesIn: 1000, bytesOut: 400, elapsedMs: 100 })
    call.emit({ phase: 'encode', done: 2, total: 4, bytesIn: 2000, bytesOut: 700, elapsedMs: 200 })
    flushProgress()

    expect(call.params).toEqual({
      strategy: 'dbscan',
      threshold: 0.955,
      backup: true,
      dryRun: false,
      force: false,
    })
    expect(useMigrateStore.getState().outcome).toBe('running')
    const job = useJobsStore.getState().jobs.migrate
    expect(job?.progress?.done).toBe(2)
    expect(job?.samples.map((s) => s.bytesIn - s.bytesOut)).toEqual([600, 1300])

    const report = makeMigrationReport(true)
    call.resolve(report)
    await running
    expect(useMigrateStore.getState().outcome).toBe('done')
    expect(useMigrateStore.getState().report).toBe(report)
    expect(fake.callsOf('summary')).toHaveLength(1)
  })

  it('cancel calls the request cancel and ends as cancelled with a notice, not an error', async () => {
    const running = useMigrateStore.getState().start()

    useMigrateStore.getState().cancel()
    await running

    expect(fake.last('migrate').cancelled).toBe(true)
    expect(useMigrateStore.getState().outcome).toBe('cancelled')
    expect(useAppStore.getState().banner?.severity).toBe('info')
  })
})
