import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ImportReport, TensorDetail } from '../core/api/contract'
import { App } from './app'
import { setBridge } from './lib/current-bridge'
import { installBridge } from './stores/install-bridge'
import { useAppStore } from './stores/app-store'
import { useAnalysisStore } from './stores/analysis-store'
import { useRecentStore } from './stores/recent-store'
import { useRepoStore } from './stores/repo-store'
import { createFakeBridge, type FakeBridge } from './test/fake-bridge'
import { makeDryRun, makeSummary } from './test/fixtures'
import { resetStores } from './test/reset-stores'

function openFake(fake: FakeBridge, path = '/repos/demo'): void {
  fake.autoRespond('detectRepository', { kind: 'coral' })
  fake.autoRespond('openRepository', makeSummary({ path }))
  fake.autoRespond('log', [])
  fake.autoRespond('listTensors', [
    {
      name: 'layer1.weight',
      id: 'a'.repeat(64),
      dtype: 'F32',
      shape: [128, 64],
      byteLength: 32_768,
    },
  ])
}

describe('app', () => {
  afterEach(() => {
    cleanup()
    resetStores()
  })

  it('in a browser, opens the path typed into "Repository path" and shows the Overview', async () => {
    const fake = createFakeBridge({ host: { kind: 'browser' } })
    installBridge(fake)
    openFake(fake)
    render(<App />)

    fireEvent.change(screen.getByRole('textbox', { name: 'Repository path' }), {
      target: { value: '/repos/demo' },
    })
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Open repository' })))

    expect(screen.getByRole('heading', { name: 'Overview' })).toBeTruthy()
    expect(screen.getByText('4.00 MB')).toBeTruthy()
    expect(screen.getByText('3.70 MB')).toBeTruthy()
  })

  it('in Electron, opens the folder chosen in the native dialog', async () => {
    const pickDirectory = vi.fn(async () => '/repos/picked')
    const fake = createFakeBridge({ host: { kind: 'electron', pickDirectory } })
    installBridge(fake)
    openFake(fake, '/repos/picked')
    render(<App />)

    expect(screen.queryByRole('textbox', { name: 'Repository path' })).toBeNull()
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Open repository' })))

    expect(pickDirectory).toHaveBeenCalledOnce()
    expect(fake.last('openRepository').params).toEqual({ path: '/repos/picked' })
  })

  it('lists recent repositories on Welcome, opens one, and forgets one', async () => {
    const fake = createFakeBridge()
    installBridge(fake)
    openFake(fake, '/repos/older')
    useRecentStore.getState().remember('/repos/older')
    useRecentStore.getState().remember('/repos/newer')
    render(<App />)

    const recent = screen.getByRole('heading', { name: 'Recent repositories' }).parentElement!
    expect(
      within(recent)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([expect.stringContaining('/repos/newer'), expect.stringContaining('/repos/older')])
    fireEvent.click(within(recent).getByRole('button', { name: 'Forget /repos/newer' }))
    expect(within(recent).getAllByRole('listitem')).toHaveLength(1)
    await act(async () =>
      fireEvent.click(within(recent).getByRole('button', { name: '/repos/older' })),
    )

    expect(fake.last('openRepository').params).toEqual({ path: '/repos/older' })
    expect(screen.getByRole('heading', { level: 1, name: 'Overview' })).toBeTruthy()
    expect(JSON.parse(localStorage.getItem('coral.recent-repositories')!).state.recent).toEqual([
      { path: '/repos/older', openedAt: expect.any(String) },
    ])
  })

  it('offers an import for a Python-Coral repository and shows the report counts', async () => {
    const fake = createFakeBridge()
    installBridge(fake)
    fake.autoRespond('detectRepository', { kind: 'python-coral' })
    render(<App />)
    fireEvent.change(screen.getByRole('textbox', { name: 'Repository path' }), {
      target: { value: '/repos/py' },
    })
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Open repository' })))

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Import' })))
    const report: ImportReport = {
      source: '/repos/py',
      target: '/repos/py-coral',
      dialect: 'v1.1',
      commits: 2,
      branches: ['main'],
      tags: [],
      tensors: [
        { commit: 'c1', name: 'w', status: 'verified', detail: 'hash matches' },
        { commit: 'c1', name: 'b', status: 'mismatched', detail: 'stored hash differs' },
      ],
      verified: 17,
      unverifiable: 0,
      mismatched: 3,
      unreadable: 0,
      backupPath: null,
      elapsedMs: 20,
    }
    await act(async () => fake.last('importPythonCoral').resolve(report))

    expect(fake.last('importPythonCoral').params).toEqual({ path: '/repos/py' })
    expect(screen.getByText('17')).toBeTruthy()
    expect(screen.getByText('stored hash differs')).toBeTruthy()

    // The core opened the imported repository: the renderer follows it, stays on the report,
    // and remembers the imported repository, not the Python one.
    fake.autoRespond('log', [])
    fake.autoRespond('listTensors', [])
    await act(async () => fake.last('summary').resolve(makeSummary({ path: '/repos/py-coral' })))
    expect(useRepoStore.getState().summary?.path).toBe('/repos/py-coral')
    expect(useRecentStore.getState().recent.map((r) => r.path)).toEqual(['/repos/py-coral'])
    expect(screen.getByText('stored hash differs')).toBeTruthy()
    await act(async () =>
      fireEvent.click(screen.getByRole('button', { name: 'Show imported repository' })),
    )
    expect(screen.getByRole('heading', { level: 1, name: 'Overview' })).toBeTruthy()
  })

  it('reopens the repository when the core comes back after a crash, and says so', async () => {
    const fake = createFakeBridge({ host: { kind: 'electron' } })
    installBridge(fake)
    useRepoStore.setState({ summary: makeSummary({ path: '/repos/demo' }) })
    useAppStore.setState({ screen: 'overview' })
    render(<App />)

    act(() => fake.setConnected(false, 'The Coral core exited (code 134)'))
    expect(fake.callsOf('openRepository')).toHaveLength(0)
    fake.autoRespond('log', [])
    fake.autoRespond('listTensors', [])
    act(() => fake.setConnected(true))
    await act(async () =>
      fake.last('openRepository').resolve(makeSummary({ path: '/repos/demo', commits: 7 })),
    )

    expect(fake.last('openRepository').params).toEqual({ path: '/repos/demo' })
    expect(screen.getByRole('status').textContent).toMatch(/core stopped unexpectedly/)
    expect(useRepoStore.getState().summary?.commits).toBe(7)
  })

  it('shows the connection-lost banner while the core is unreachable', () => {
    const fake = createFakeBridge()
    installBridge(fake)
    render(<App />)

    act(() => fake.setConnected(false, 'core process exited'))
    expect(screen.getByText(/Connection to the Coral core lost/)).toBeTruthy()
    expect(screen.getByText('core process exited')).toBeTruthy()

    act(() => fake.setConnected(true))
    expect(screen.queryByText(/Connection to the Coral core lost/)).toBeNull()
  })

  it('catches a screen that fails to render and keeps the navigation', async () => {
    const fake = createFakeBridge()
    setBridge(fake)
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    useRepoStore.setState({ summary: makeSummary() })
    fake.autoRespond('tensorDetail', { name: 'broken', shape: null } as unknown as TensorDetail)
    render(<App />)

    await act(async () => useAppStore.getState().openTensor('broken'))

    expect(screen.getByText(/failed to render/)).toBeTruthy()
    expect(screen.getByRole('navigation', { name: 'Screens' })).toBeTruthy()
    spy.mockRestore()
  })

  it('Analyze shows the plan, the projection cap, and a cluster in the inspector', async () => {
    const fake = createFakeBridge()
    installBridge(fake)
    useRepoStore.setState({ summary: makeSummary() })
    useAppStore.setState({ screen: 'analysis' })
    render(<App />)

    fireEvent.click(screen.getByRole('button', { name: 'Analyze' }))
    await act(async () => fake.last('analyze').resolve(makeDryRun()))
    expect(screen.getByText(/showing 2 of 10 tensors/)).toBeTruthy()
    await act(async () => useAnalysisStore.getState().selectCluster('cluster-1'))

    expect(screen.getByRole('region', { name: 'Cluster 1' })).toBeTruthy()
    expect(screen.getByText('0.9964')).toBeTruthy()
  })
})
