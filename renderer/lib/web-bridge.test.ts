// @vitest-environment node
// The bridge runs against the real `coral-ml ui` server and a forked core
// worker, with the `ws` package standing in for the browser's WebSocket.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket as NodeWebSocket } from 'ws'

import { CoralError } from '../../core/errors'
import type { Progress } from '../../core/api/contract'
import { createCoreClient, startCoreWorker, type CoreClient } from '../../core/api/core-client'
import { FAKE_ANALYZE_STEPS } from '../../core/api/testing/fake-handlers'
import { startUiServer, type UiServer } from '../../core/cli/ui-server'
import { createWebBridge, type WebBridge } from './web-bridge'

const FAKE_WORKER = new URL('../../core/api/testing/fake-worker-main.ts', import.meta.url)
const MIGRATE = {
  strategy: 'kmeans',
  threshold: 0.9,
  backup: false,
  dryRun: false,
  batchSize: 8,
  force: false,
} as const
const OPTIONS = {
  WebSocket: NodeWebSocket as unknown as typeof WebSocket,
  reconnectInitialMs: 20,
  reconnectMaxMs: 100,
}

async function errorOf(promise: Promise<unknown>): Promise<CoralError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof CoralError) {
      return error
    }
    throw error
  }
  throw new Error('expected a rejection')
}

/** Waits generously: forked workers start slowly on a loaded machine. */
const POLL = { timeout: 30_000 }

describe('lib/web-bridge', { timeout: 60_000 }, () => {
  let root: string
  let client: CoreClient
  let server: UiServer
  let bridge: WebBridge | undefined

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'coral-'))
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html>')
    client = createCoreClient(() =>
      startCoreWorker({ entry: FAKE_WORKER, execArgv: ['--import', 'tsx'] }),
    )
    server = await startUiServer({ rendererDir: root, client, repoPath: path.join(root, 'repo') })
    bridge = await createWebBridge(new URL(server.url) as unknown as Location, OPTIONS)
  })

  afterAll(async () => {
    bridge?.close()
    await server?.close()
    await client?.close()
    fs.rmSync(root, { recursive: true, force: true })
  })

  it('is a browser host without a folder picker, and knows the repository opened at start', async () => {
    expect(bridge!.host.kind).toBe('browser')
    expect(await bridge!.host.pickDirectory()).toBeNull()
    expect(bridge!.initialRepository).toBe(path.join(root, 'repo'))
  })

  it('round-trips a request', async () => {
    const summary = await bridge!.request('summary', {}).result

    expect(summary.path).toBe(path.join(root, 'repo'))
  })

  it('routes progress to the request that asked for it', async () => {
    const progress: Progress[] = []

    await bridge!.request('analyze', { strategy: 'kmeans', threshold: 0.5 }, (p) =>
      progress.push(p),
    ).result

    expect(progress.length).toBeGreaterThanOrEqual(1)
    expect(progress.at(-1)!.done).toBe(FAKE_ANALYZE_STEPS)
  })

  it('revives errors as CoralError with their code', async () => {
    const error = await errorOf(bridge!.request('openRepository', { path: 'missing' }).result)

    expect(error).toBeInstanceOf(CoralError)
    expect(error.code).toBe('NotARepository')
    expect(error.message).toBe('missing: not a Coral repository.')
  })

  it('cancels a request through the server', async () => {
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    const pending = bridge!.request('migrate', MIGRATE, () => started())
    await running

    pending.cancel()

    expect((await errorOf(pending.result)).code).toBe('Cancelled')
  })

  it('refuses to start without a token', async () => {
    const url = new URL(server.url)
    url.search = ''

    const error = await errorOf(createWebBridge(url as unknown as Location, OPTIONS))

    expect(error.code).toBe('InvalidArgument')
  })

  it('reports a lost connection, fails in-flight requests, and reconnects', async () => {
    const changes: Array<[boolean, string | undefined]> = []
    bridge!.onConnectionChange((connected, reason) => changes.push([connected, reason]))
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    const inFlight = bridge!.request('migrate', MIGRATE, () => started())
    const inFlightError = errorOf(inFlight.result)
    await running

    // The server goes away: the request in flight fails, the bridge says so
    await server.close()
    const lost = await inFlightError
    await expect.poll(() => changes.length, POLL).toBe(1)
    expect(lost.code).toBe('Cancelled')
    expect(changes[0]![0]).toBe(false)
    expect(changes[0]![1]).toMatch(/connection to the Coral server was lost/)

    // A request made while down waits; the server comes back on the same port
    const waiting = bridge!.request('detectRepository', { path: '/x' })
    server = await startUiServer({
      rendererDir: root,
      client,
      port: server.port,
      token: server.token,
    })

    expect(await waiting.result).toEqual({ kind: 'none' })
    expect(changes.at(-1)).toEqual([true, undefined])
  })
})
