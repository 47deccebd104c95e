import { MessageChannel, type MessagePort as NodeMessagePort } from 'node:worker_threads'

import { afterEach, describe, expect, it, vi } from 'vitest'

import type { CoralError } from '../../core/errors'
import type { MigrateOptions, Progress } from '../../core/api/contract'
import { createDispatcher } from '../../core/api/dispatcher'
import { createFakeHandlers } from '../../core/api/testing/fake-handlers'
import type { CoralHostApi } from '../../electron/shared/channels'
import { createElectronBridge, type ElectronBridgeWindow } from './electron-bridge'

/** A page window whose preload side the test drives. */
function createFakeWindow() {
  const listeners = new Set<(event: MessageEvent) => void>()
  const cores: Array<{ port: NodeMessagePort; close(): Promise<void> }> = []
  const host = {
    kind: 'electron' as const,
    version: '0.1.0',
    pickDirectory: vi.fn(async () => '/picked/repo'),
    requestCorePort: vi.fn(() => {}),
  } satisfies CoralHostApi
  const win: ElectronBridgeWindow = {
    coralHost: host,
    addEventListener: (_type, listener) => listeners.add(listener),
    removeEventListener: (_type, listener) => listeners.delete(listener),
  }

  function post(data: unknown, ports: unknown[] = [], source: unknown = win): void {
    const event = { data, ports, source } as unknown as MessageEvent
    for (const listener of [...listeners]) {
      listener(event)
    }
  }

  /** Starts a core (the real dispatcher, fake handlers) and hands its port to the page. */
  function deliverCore(source: unknown = win): NodeMessagePort {
    const { port1, port2 } = new MessageChannel()
    const dispatcher = createDispatcher(createFakeHandlers(), (message) =>
      port2.postMessage(message),
    )
    port2.on('message', (message) => dispatcher.receive(message))
    cores.push({
      port: port2,
      close: async () => {
        await dispatcher.close()
        port2.close()
      },
    })
    post({ type: 'coral:core-port' }, [port1], source)
    return port2
  }

  return { win, host, post, deliverCore, cores }
}

const migrateParams: MigrateOptions = {
  strategy: 'kmeans',
  threshold: 0.98,
  backup: true,
  dryRun: false,
  batchSize: 8,
  force: false,
}

let cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanup.map((fn) => fn()))
  cleanup = []
  vi.useRealTimers()
})

async function connectedBridge() {
  const page = createFakeWindow()
  cleanup.push(async () => {
    await Promise.all(page.cores.map((core) => core.close()))
  })
  page.host.requestCorePort.mockImplementationOnce(() => {
    page.deliverCore()
  })
  const bridge = await createElectronBridge({ window: page.win })
  return { page, bridge }
}

describe('renderer/lib/electron-bridge', () => {
  it('asks the preload for a port and speaks the contract over it', async () => {
    const { page, bridge } = await connectedBridge()

    const summary = await bridge.request('openRepository', { path: '/repos/a' }).result

    expect(page.host.requestCorePort).toHaveBeenCalledTimes(1)
    expect(summary.path).toBe('/repos/a')
    expect(bridge.host.kind).toBe('electron')
    await expect(bridge.host.pickDirectory()).resolves.toBe('/picked/repo')
  })

  it('revives core errors so callers can check err.code', async () => {
    const { bridge } = await connectedBridge()

    const error = (await bridge
      .request('openRepository', { path: 'missing/repo' })
      .result.catch((e: unknown) => e)) as CoralError

    expect(error.code).toBe('NotARepository')
    expect(error.message).toContain('missing/repo')
  })

  it('delivers progress to the request that asked and ends with the final figure', async () => {
    const { bridge } = await connectedBridge()
    const seen: Progress[] = []

    const plan = await bridge.request('analyze', { strategy: 'kmeans', threshold: 0.9 }, (p) =>
      seen.push(p),
    ).result

    expect(plan.uniqueTensors).toBe(1000)
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.at(-1)?.done).toBe(1000)
  })

  it('cancels a running request with code Cancelled', async () => {
    const { bridge } = await connectedBridge()
    let progressed: () => void = () => {}
    const started = new Promise<void>((resolve) => {
      progressed = resolve
    })
    const pending = bridge.request('migrate', migrateParams, () => progressed())
    const result = pending.result.catch((e: unknown) => e)

    await started
    pending.cancel()

    expect(((await result) as CoralError).code).toBe('Cancelled')
  })

  it('ignores port messages whose source is not its own window', async () => {
    const page = createFakeWindow()
    cleanup.push(async () => {
      await Promise.all(page.cores.map((core) => core.close()))
    })
    page.host.requestCorePort.mockImplementationOnce(() => {
      page.deliverCore({ not: 'the window' })
    })

    const error = (await createElectronBridge({ window: page.win, connectTimeoutMs: 50 }).catch(
      (e: unknown) => e,
    )) as CoralError

    expect(error.code).toBe('Internal')
    expect(error.message).toContain('did not connect')
  })

  it('fails pending requests on a core restart, then adopts the new port', async () => {
    const { page, bridge } = await connectedBridge()
    const changes: Array<[boolean, string | undefined]> = []
    bridge.onConnectionChange((connected, reason) => changes.push([connected, reason]))
    const running = bridge.request('migrate', migrateParams)
    const failure = running.result.catch((e: unknown) => e)
    await bridge.request('openRepository', { path: '/repos/a' }).result

    // The core dies: main tells the page, then hands out a fresh port
    page.post({
      type: 'coral:core-restarted',
      reason: 'The core process exited unexpectedly (code 134).',
      restarting: true,
    })
    const lost = (await failure) as CoralError
    const queued = bridge.request('openRepository', { path: '/repos/b' }).result
    page.deliverCore()

    expect(lost.code).toBe('Internal')
    expect(lost.message).toContain(
      'migrate failed: The core process exited unexpectedly (code 134).',
    )
    expect((await queued).path).toBe('/repos/b')
    expect(changes).toEqual([
      [false, 'The core process exited unexpectedly (code 134).'],
      [true, undefined],
    ])
  })

  it('asks for a port again on the next request after main gave up', async () => {
    const { page, bridge } = await connectedBridge()
    page.post({ type: 'coral:core-restarted', reason: 'Crashed too often.', restarting: false })
    page.host.requestCorePort.mockImplementationOnce(() => {
      page.deliverCore()
    })

    const summary = await bridge.request('openRepository', { path: '/repos/c' }).result

    expect(page.host.requestCorePort).toHaveBeenCalledTimes(2)
    expect(summary.path).toBe('/repos/c')
  })

  it('refuses to start without the preload', async () => {
    const page = createFakeWindow()
    const win = { ...page.win, coralHost: undefined }

    const error = (await createElectronBridge({ window: win }).catch(
      (e: unknown) => e,
    )) as CoralError

    expect(error.code).toBe('Internal')
    expect(error.message).toContain('window.coralHost is missing')
  })
})
