import { EventEmitter } from 'node:events'

import { describe, expect, it, vi } from 'vitest'

import type { FromCore, MigrateOptions } from '../../core/api/contract.js'
import { createDispatcher } from '../../core/api/dispatcher.js'
import { createFakeHandlers } from '../../core/api/testing/fake-handlers.js'
import { serveCorePorts, type ParentPortLike } from './serve-core-ports.js'

/** A fake `MessagePortMain`: the test plays the renderer on the other end. */
class FakePort extends EventEmitter {
  readonly received: FromCore[] = []
  started = false
  closed = false
  postMessage(message: FromCore): void {
    this.received.push(message)
  }
  start(): void {
    this.started = true
  }
  close(): void {
    this.closed = true
    this.emit('close')
  }
  fromRenderer(data: unknown): void {
    this.emit('message', { data })
  }
  /** Resolves with the response to request `id`. */
  async response(id: number): Promise<FromCore> {
    await vi.waitFor(() => {
      if (!this.received.some((m) => m.kind === 'response' && m.id === id)) {
        throw new Error('no response yet')
      }
    })
    return this.received.find((m) => m.kind === 'response' && m.id === id)!
  }
}

function setup() {
  const parent = new EventEmitter()
  const exit = vi.fn()
  const log = vi.fn()
  const served = serveCorePorts({
    parentPort: parent as unknown as ParentPortLike,
    handlers: createFakeHandlers(),
    createDispatcher,
    exit,
    log,
  })
  const connect = (port?: FakePort) =>
    parent.emit('message', {
      data: { type: 'coral:connect', connectionId: 1 },
      ports: port ? [port] : [],
    })
  const shutdown = () => parent.emit('message', { data: { type: 'coral:shutdown' }, ports: [] })
  return { served, connect, shutdown, exit, log, parent }
}

const migrateParams: MigrateOptions = {
  strategy: 'kmeans',
  threshold: 0.98,
  backup: true,
  dryRun: false,
  batchSize: 8,
  force: false,
}

describe('electron/utility/serve-core-ports', () => {
  it('serves the contract on each port main hands over', async () => {
    const { connect, served } = setup()
    const a = new FakePort()
    const b = new FakePort()

    connect(a)
    connect(b)
    a.fromRenderer({ kind: 'request', id: 1, method: 'openRepository', params: { path: '/r' } })
    b.fromRenderer({
      kind: 'request',
      id: 1,
      method: 'openRepository',
      params: { path: 'missing/x' },
    })

    expect(a.started && b.started).toBe(true)
    expect(a.received[0]).toEqual({ kind: 'ready', version: 1 })
    expect(await a.response(1)).toMatchObject({ ok: true, result: { path: '/r' } })
    expect(await b.response(1)).toMatchObject({ ok: false, error: { code: 'NotARepository' } })
    expect(served.connections()).toBe(2)
  })

  it('shares the handlers between connections, so a reloaded window finds its repository', async () => {
    const { connect } = setup()
    const first = new FakePort()
    const second = new FakePort()
    connect(first)
    first.fromRenderer({ kind: 'request', id: 1, method: 'openRepository', params: { path: '/r' } })
    await first.response(1)

    first.close()
    connect(second)
    second.fromRenderer({ kind: 'request', id: 1, method: 'summary', params: {} })

    expect(await second.response(1)).toMatchObject({ ok: true, result: { path: '/r' } })
  })

  it('aborts the requests of a port whose window went away', async () => {
    const { connect, served } = setup()
    const port = new FakePort()
    connect(port)
    port.fromRenderer({ kind: 'request', id: 7, method: 'migrate', params: migrateParams })
    await vi.waitFor(() => expect(port.received.some((m) => m.kind === 'progress')).toBe(true))

    port.close()

    expect(served.connections()).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 0))
    // Closed dispatchers send nothing more, not even the Cancelled response.
    expect(port.received.some((m) => m.kind === 'response')).toBe(false)
  })

  it('drops a connect without a port', () => {
    const { connect, served, log } = setup()

    connect()

    expect(served.connections()).toBe(0)
    expect(log).toHaveBeenCalledWith('dropped coral:connect without a port')
  })

  it('on shutdown lets running requests settle, then exits 0', async () => {
    const { connect, shutdown, exit } = setup()
    const port = new FakePort()
    connect(port)
    port.fromRenderer({ kind: 'request', id: 3, method: 'migrate', params: migrateParams })
    await vi.waitFor(() => expect(port.received.some((m) => m.kind === 'progress')).toBe(true))

    shutdown()

    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0))
    const late = new FakePort()
    connect(late)
    expect(late.closed).toBe(true)
  })
})
