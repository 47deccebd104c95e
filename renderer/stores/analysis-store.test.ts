import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setBridge } from '../lib/current-bridge'
import { createFakeBridge, type FakeBridge } from '../test/fake-bridge'
import { makeDryRun } from '../test/fixtures'
import { resetStores } from '../test/reset-stores'
import { useAnalysisStore } from './analysis-store'
import { useAppStore } from './app-store'
import { useRepoStore } from './repo-store'
import { useTuningStore } from './tuning-store'

describe('stores/analysis-store', () => {
  let fake: FakeBridge

  beforeEach(() => {
    fake = createFakeBridge()
    setBridge(fake)
  })
  afterEach(resetStores)

  it('analyzes with the tuned strategy and threshold and keeps the plan', async () => {
    useTuningStore.setState({ strategy: 'hierarchical', threshold: 0.97 })
    const plan = makeDryRun({ strategy: 'hierarchical', threshold: 0.97 })

    const running = useAnalysisStore.getState().analyze()
    fake.last('analyze').resolve(plan)
    await running

    expect(fake.last('analyze').params).toEqual({ strategy: 'hierarchical', threshold: 0.97 })
    expect(useAnalysisStore.getState().plan).toBe(plan)
  })

  it('drops the plan when the repository changes', async () => {
    useAnalysisStore.setState({ plan: makeDryRun() })

    useRepoStore.setState((s) => ({ epoch: s.epoch + 1 }))

    expect(useAnalysisStore.getState().plan).toBeNull()
  })

  it('reports a failed analysis', async () => {
    const running = useAnalysisStore.getState().analyze()
    fake.last('analyze').reject({ code: 'Internal', message: 'Internal error: boom' })
    await running

    expect(useAppStore.getState().banner?.code).toBe('Internal')
  })
})
