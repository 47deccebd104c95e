import { afterEach, describe, expect, it, vi } from 'vitest'

// The real module would try to download Electron; the preload entry only needs these two.
const exposeInMainWorld = vi.fn()
const on = vi.fn()
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld },
  ipcRenderer: { invoke: vi.fn(), send: vi.fn(), on },
}))

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('electron/preload/index', () => {
  it('exposes coralHost and listens for core ports when loaded', async () => {
    const postMessage = vi.fn()
    vi.stubGlobal('window', { postMessage })

    await import('./index.js')

    expect(exposeInMainWorld).toHaveBeenCalledTimes(1)
    expect(exposeInMainWorld.mock.calls[0]?.[0]).toBe('coralHost')
    expect(on.mock.calls.map((call) => call[0])).toEqual([
      'coral:core-port',
      'coral:core-restarted',
    ])
    on.mock.calls[0]?.[1]({ ports: ['p'] })
    expect(postMessage).toHaveBeenCalledWith({ type: 'coral:core-port' }, '*', ['p'])
  })
})
