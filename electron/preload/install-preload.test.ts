import { describe, expect, it, vi } from 'vitest'

import type { CoralHostApi } from '../shared/channels.js'
import { installPreload, type PreloadDeps } from './install-preload.js'

function setup(argv: string[] = ['electron', '--coral-app-version=2.0.1']) {
  const exposed: Record<string, unknown> = {}
  const listeners = new Map<string, (event: { ports: unknown[] }, ...args: unknown[]) => void>()
  const ipcRenderer = {
    invoke: vi.fn(async (): Promise<unknown> => '/home/me/repo'),
    send: vi.fn(),
    on: vi.fn(
      (channel: string, listener: (event: { ports: unknown[] }, ...args: unknown[]) => void) => {
        listeners.set(channel, listener)
      },
    ),
  }
  const posted: Array<{ message: unknown; origin: string; transfer: unknown[] | undefined }> = []
  const deps = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
    ipcRenderer,
    window: {
      postMessage: (message: unknown, origin: string, transfer?: unknown[]) =>
        posted.push({ message, origin, transfer }),
    },
    argv,
  } as unknown as PreloadDeps
  installPreload(deps)
  return { host: exposed['coralHost'] as CoralHostApi, exposed, ipcRenderer, listeners, posted }
}

describe('electron/preload/install-preload', () => {
  it('exposes only the coralHost API, never ipcRenderer', () => {
    const { exposed, host, ipcRenderer } = setup()

    expect(Object.keys(exposed)).toEqual(['coralHost'])
    expect(Object.keys(host).sort()).toEqual([
      'kind',
      'pickDirectory',
      'requestCorePort',
      'version',
    ])
    expect(Object.values(host)).not.toContain(ipcRenderer)
    expect(host.kind).toBe('electron')
    expect(host.version).toBe('2.0.1')
  })

  it('reports an unknown version when main passed none', () => {
    expect(setup(['electron']).host.version).toBe('unknown')
  })

  it('picks a directory through the validated channel and returns only strings', async () => {
    const { host, ipcRenderer } = setup()

    expect(await host.pickDirectory()).toBe('/home/me/repo')
    ipcRenderer.invoke.mockResolvedValueOnce({ not: 'a path' })
    expect(await host.pickDirectory()).toBeNull()
    expect(ipcRenderer.invoke).toHaveBeenCalledWith('coral:pick-directory')
  })

  it('asks main for a core port', () => {
    const { host, ipcRenderer } = setup()

    host.requestCorePort()

    expect(ipcRenderer.send).toHaveBeenCalledWith('coral:request-core-port')
  })

  it('forwards core ports and restart notices to the page', () => {
    const { listeners, posted } = setup()
    const port = { fake: 'port' }

    listeners.get('coral:core-port')!({ ports: [port] })
    listeners.get('coral:core-restarted')!({ ports: [] }, { reason: 'Crashed.', restarting: true })
    listeners.get('coral:core-restarted')!({ ports: [] }, 'garbage')

    expect(posted).toEqual([
      { message: { type: 'coral:core-port' }, origin: '*', transfer: [port] },
      {
        message: { type: 'coral:core-restarted', reason: 'Crashed.', restarting: true },
        origin: '*',
        transfer: undefined,
      },
      {
        message: {
          type: 'coral:core-restarted',
          reason: 'The core process stopped.',
          restarting: false,
        },
        origin: '*',
        transfer: undefined,
      },
    ])
  })
})
