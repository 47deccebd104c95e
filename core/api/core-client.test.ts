import { afterEach, describe, expect, it } from 'vitest'
import { CoralError } from '../errors.js'
import type { Progress } from './contract.js'
import { createCoreClient, startCoreWorker } from './core-client.js'
import type { CoreClient } from './core-client.js'
import { FAKE_ANALYZE_STEPS } from './testing/fake-handlers.js'

const FAKE_WORKER = new URL('./testing/fake-worker-main.ts', import.meta.url)
const MIGRATE = {
  strategy: 'kmeans',
  threshold: 0.9,
  backup: false,
  dryRun: false,
  batchSize: 8,
  force: false,
} as const

/** A client over the real transport and dispatcher, forked with fake handlers. */
function startFakeClient(options: { maxRestarts?: number } = {}): CoreClient {
  return createCoreClient(
    () => startCoreWorker({ entry: FAKE_WORKER, execArgv: ['--import', 'tsx'] }),
    options,
  )
}

/** A promise and its resolver (Node 20 has no Promise.withResolvers). */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
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

describe('api/core-client (forked worker)', () => {
  let client: CoreClient | undefined

  afterEach(async () => {
    await client?.close()
    client = undefined
  })

  it('round-trips a request and revives errors with their code', async () => {
    client = startFakeClient()

    const summary = await client.request('openRepository', { path: '/repo' }).result
    const error = await errorOf(client.request('openRepository', { path: 'missing/r' }).result)
    const invalid = await errorOf(
      client.request('analyze', { strategy: 'kmeans', threshold: 3 }).result,
    )

    expect(summary.path).toBe('/repo')
    expect(error.code).toBe('NotARepository')
    expect(error.message).toBe('missing/r: not a Coral repository.')
    expect(invalid.code).toBe('InvalidArgument')
  })

  it('routes throttled progress and delivers the final report', async () => {
    client = startFakeClient()
    const progress: Progress[] = []

    await client.request('analyze', { strategy: 'kmeans', threshold: 0.5 }, (p) => progress.push(p))
      .result

    expect(progress.length).toBeGreaterThanOrEqual(1)
    expect(progress.length).toBeLessThan(FAKE_ANALYZE_STEPS)
    expect(progress.at(-1)!.done).toBe(FAKE_ANALYZE_STEPS)
  })

  it('cancels a running request', async () => {
    client = startFakeClient()
    const started = signal()

    const pending = client.request('migrate', MIGRATE, () => started.resolve())
    await started.promise
    pending.cancel()

    expect((await errorOf(pending.result)).code).toBe('Cancelled')
  })

  it('fails in-flight requests clearly when the worker is killed, then restarts it', async () => {
    client = startFakeClient()
    const started = signal()
    const pending = client.request('migrate', MIGRATE, () => started.resolve())
    await started.promise
    const firstPid = client.pid!

    process.kill(firstPid, 'SIGKILL')

    const error = await errorOf(pending.result)
    expect(error.code).toBe('Internal')
    expect(error.message).toBe(
      'The Coral core process stopped unexpectedly (signal SIGKILL); it has been restarted.',
    )
    const summary = await client.request('openRepository', { path: '/again' }).result
    expect(summary.path).toBe('/again')
    expect(client.pid).not.toBe(firstPid)
  })

  it('stops restarting after maxRestarts deaths and says so', async () => {
    client = startFakeClient({ maxRestarts: 1 })
    await client.request('detectRepository', { path: '/x' }).result
    const restarted = signal()
    client.onRestart(restarted.resolve)
    process.kill(client.pid!, 'SIGKILL')
    await restarted.promise
    await client.request('detectRepository', { path: '/x' }).result
    const started = signal()
    const pending = client.request('migrate', MIGRATE, () => started.resolve())
    await started.promise

    process.kill(client.pid!, 'SIGKILL')

    const error = await errorOf(pending.result)
    expect(error.code).toBe('Internal')
    expect(error.message).toMatch(
      /stopped unexpectedly \(signal SIGKILL\) 2 times .* it was not restarted\.$/,
    )
    expect((await errorOf(client.request('summary', {}).result)).code).toBe('Internal')
  })

  it('starts the real worker entry, which validates before any handler runs', async () => {
    client = createCoreClient(() =>
      startCoreWorker({
        entry: new URL('./worker-main.ts', import.meta.url),
        execArgv: ['--import', 'tsx'],
      }),
    )

    const error = await errorOf(
      client.request('analyze', { strategy: 'kmeans', threshold: 5 }).result,
    )

    expect(error.code).toBe('InvalidArgument')
  })

  it('close cancels pending requests and ends the worker', async () => {
    client = startFakeClient()
    const started = signal()
    const pending = client.request('migrate', MIGRATE, () => started.resolve())
    await started.promise
    const pid = client.pid!

    const error = errorOf(pending.result)
    await client.close()

    expect((await error).code).toBe('Cancelled')
    expect(() => process.kill(pid, 0)).toThrow()
  })
})
