import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setBridge } from '../lib/current-bridge'
import { coralError, createFakeBridge, type FakeBridge } from '../test/fake-bridge'
import { makeSummary } from '../test/fixtures'
import { resetStores } from '../test/reset-stores'
import { useAppStore } from './app-store'
import { useRecentStore } from './recent-store'
import { useRepoStore } from './repo-store'

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('stores/repo-store', () => {
  let fake: FakeBridge

  beforeEach(() => {
    fake = createFakeBridge()
    setBridge(fake)
  })
  afterEach(resetStores)

  it('detects, opens, remembers and loads a Coral repository', async () => {
    const summary = makeSummary({ path: '/repos/a' })
    fake.autoRespond('detectRepository', { kind: 'coral' })
    fake.autoRespond('openRepository', summary)
    fake.autoRespond('log', [])
    fake.autoRespond('listTensors', [
      { name: 'w', id: 'a'.repeat(64), dtype: 'F32', shape: [2], byteLength: 8 },
    ])

    await useRepoStore.getState().openPath('  /repos/a ')

    expect(fake.last('detectRepository').params).toEqual({ path: '/repos/a' })
    expect(fake.last('openRepository').params).toEqual({ path: '/repos/a' })
    expect(useRepoStore.getState().summary).toBe(summary)
    expect(useRepoStore.getState().tensors.map((t) => t.name)).toEqual(['w'])
    expect(useRecentStore.getState().recent[0]?.path).toBe('/repos/a')
    expect(useAppStore.getState().screen).toBe('overview')
    expect(JSON.parse(localStorage.getItem('coral.recent-repositories') ?? '{}').version).toBe(1)
  })

  it('offers an import for a Python-Coral repository instead of opening it', async () => {
    fake.autoRespond('detectRepository', { kind: 'python-coral' })

    await useRepoStore.getState().openPath('/repos/py')

    expect(fake.callsOf('openRepository')).toHaveLength(0)
    expect(useRepoStore.getState().pendingImport).toEqual({ path: '/repos/py', report: null })
  })

  it('reports a folder that is not a repository with NotARepository advice', async () => {
    fake.autoRespond('detectRepository', { kind: 'none' })

    await useRepoStore.getState().openPath('/tmp/empty')

    expect(useAppStore.getState().banner?.code).toBe('NotARepository')
    expect(useRepoStore.getState().summary).toBeNull()
  })

  it('maps a core failure to the banner', async () => {
    fake.autoRespond('detectRepository', { kind: 'coral' })
    const opening = useRepoStore.getState().openPath('/repos/locked')
    await settle()

    fake.last('openRepository').reject(coralError('RepoLocked', '/repos/locked is locked'))
    await opening

    const banner = useAppStore.getState().banner
    expect(banner?.code).toBe('RepoLocked')
    expect(banner?.detail).toBe('/repos/locked is locked')
  })
})
