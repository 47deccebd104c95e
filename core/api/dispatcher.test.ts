import { describe, expect, it } from 'vitest'
import { CoralError } from '../errors.js'
import { CONTRACT_VERSION } from './contract.js'
import type { FromCore, Progress } from './contract.js'
import { createDispatcher } from './dispatcher.js'
import type { CoreHandlers } from './handlers-type.js'
import { createFakeHandlers, FAKE_ANALYZE_STEPS } from './testing/fake-handlers.js'

/** A dispatcher fed by hand, with a clock that never moves unless told. */
function setup(handlers: Partial<CoreHandlers> = {}) {
  const sent: FromCore[] = []
  let clock = 0
  const dispatcher = createDispatcher(
    { ...createFakeHandlers(), ...handlers },
    (m) => sent.push(m),
    {
      now: () => clock,
    },
  )
  const responseOf = async (id: number) => {
    await expect.poll(() => sent.some((m) => m.kind === 'response' && m.id === id)).toBe(true)
    return sent.find((m) => m.kind === 'response' && m.id === id) as Extract<
      FromCore,
      { kind: 'response' }
    >
  }
  return {
    sent,
    dispatcher,
    responseOf,
    advance: (ms: number) => (clock += ms),
    progressOf: (id: number) =>
      sent.flatMap((m) => (m.kind === 'progress' && m.id === id ? [m.progress] : [])),
  }
}

describe('api/dispatcher', () => {
  it('announces itself with ready', () => {
    const { sent } = setup()

    expect(sent).toEqual([{ kind: 'ready', version: CONTRACT_VERSION }])
  })

  it('answers a request with its result', async () => {
    const { dispatcher, responseOf } = setup()

    dispatcher.receive({ kind: 'request', id: 7, method: 'openRepository', params: { path: '/r' } })

    const response = await responseOf(7)
    expect(response.ok).toBe(true)
    expect(response.ok && (response.result as { path: string }).path).toBe('/r')
  })

  it('rejects bad params and unknown methods with InvalidArgument, without calling a handler', async () => {
    let called = false
    const { dispatcher, responseOf } = setup({
      analyze: async () => {
        called = true
        throw new Error('should not run')
      },
    })

    dispatcher.receive({
      kind: 'request',
      id: 1,
      method: 'analyze',
      params: { strategy: 'kmeans', threshold: 7 },
    })
    dispatcher.receive({ kind: 'request', id: 2, method: 'rm -rf', params: {} })
    dispatcher.receive({ kind: 'request', id: 3, params: {} })

    for (const id of [1, 2, 3]) {
      const response = await responseOf(id)
      expect(response.ok === false && response.error.code).toBe('InvalidArgument')
      expect(response.ok === false && response.error.stack).toBeUndefined()
    }
    expect(called).toBe(false)
  })

  it('drops envelopes without a usable id', () => {
    const { dispatcher, sent } = setup()

    dispatcher.receive(null)
    dispatcher.receive('request')
    dispatcher.receive({ kind: 'request', id: -1, method: 'summary', params: {} })
    dispatcher.receive({ kind: 'request', id: 1.5, method: 'summary', params: {} })
    dispatcher.receive({ kind: 'launch', id: 1 })

    expect(sent).toHaveLength(1)
  })

  it('serializes expected errors without a stack and Internal errors with one', async () => {
    const { dispatcher, responseOf } = setup()

    dispatcher.receive({
      kind: 'request',
      id: 1,
      method: 'openRepository',
      params: { path: 'missing/x' },
    })
    dispatcher.receive({
      kind: 'request',
      id: 2,
      method: 'openRepository',
      params: { path: 'boom' },
    })

    const expected = await responseOf(1)
    const internal = await responseOf(2)
    expect(expected.ok === false && expected.error).toEqual({
      code: 'NotARepository',
      message: 'missing/x: not a Coral repository.',
      data: { path: 'missing/x' },
    })
    expect(internal.ok === false && internal.error.code).toBe('Internal')
    expect(internal.ok === false && internal.error.message).toBe('Internal error: boom')
    expect(internal.ok === false && internal.error.stack).toContain('boom')
  })

  it('cancels a request by id and answers Cancelled', async () => {
    let signal: AbortSignal | undefined
    const { dispatcher, responseOf, progressOf } = setup({
      migrate: async (_params, ctx) => {
        signal = ctx.signal
        return createFakeHandlers().migrate(_params, ctx)
      },
    })
    const params = {
      strategy: 'kmeans',
      threshold: 0.9,
      backup: false,
      dryRun: false,
      batchSize: 8,
      force: false,
    }

    dispatcher.receive({ kind: 'request', id: 4, method: 'migrate', params })
    dispatcher.receive({ kind: 'request', id: 5, method: 'migrate', params })
    dispatcher.receive({ kind: 'cancel', id: 4 })

    const response = await responseOf(4)
    expect(response.ok === false && response.error.code).toBe('Cancelled')
    expect(progressOf(4)).toHaveLength(1)
    expect(signal?.aborted).toBe(false) // the last started (id 5) is still running
    await dispatcher.close()
    expect(signal?.aborted).toBe(true)
  })

  it('ignores a cancel for an unknown id', () => {
    const { dispatcher, sent } = setup()

    dispatcher.receive({ kind: 'cancel', id: 99 })

    expect(sent).toHaveLength(1)
  })

  it('rejects a duplicate in-flight id and keeps the first request running', async () => {
    const { dispatcher, sent } = setup()
    const params = {
      strategy: 'kmeans',
      threshold: 0.9,
      backup: false,
      dryRun: false,
      batchSize: 8,
      force: false,
    }

    dispatcher.receive({ kind: 'request', id: 3, method: 'migrate', params })
    dispatcher.receive({ kind: 'request', id: 3, method: 'summary', params: {} })

    const responses = sent.filter((m) => m.kind === 'response')
    expect(responses).toHaveLength(1)
    expect(responses[0]!.ok === false && responses[0]!.error.code).toBe('InvalidArgument')
    dispatcher.receive({ kind: 'cancel', id: 3 })
    await expect.poll(() => sent.filter((m) => m.kind === 'response').length).toBe(2)
    const last = sent.at(-1)!
    expect(last.kind === 'response' && last.ok === false && last.error.code).toBe('Cancelled')
  })

  it('throttles progress and always delivers the final report before the response', async () => {
    const { dispatcher, responseOf, progressOf, sent } = setup()

    dispatcher.receive({
      kind: 'request',
      id: 1,
      method: 'analyze',
      params: { strategy: 'kmeans', threshold: 0.9 },
    })

    const response = await responseOf(1)
    expect(response.ok).toBe(true)
    const progress = progressOf(1)
    // The clock stood still: the first report went out at once, and the rest
    // collapsed into the final one, flushed before the response.
    expect(progress.map((p) => p.done)).toEqual([1, FAKE_ANALYZE_STEPS])
    const lastProgressIndex = sent.findLastIndex((m) => m.kind === 'progress')
    expect(lastProgressIndex).toBeLessThan(sent.indexOf(response))
  })

  it("sends a phase's last report before the next phase's, even within the interval", async () => {
    let report: ((phase: string, done: number) => void) | undefined
    let finish: (() => void) | undefined
    const { dispatcher, progressOf, responseOf } = setup({
      validate: (_params, ctx) =>
        new Promise((resolve) => {
          report = (phase, done) => ctx.progress({ phase, done, total: 3, bytesIn: 0, bytesOut: 0 })
          finish = () => resolve({ ok: true } as never)
        }),
    })
    dispatcher.receive({ kind: 'request', id: 1, method: 'validate', params: { fix: false } })

    // The clock stands still: only the first report and each phase's last one go out.
    report!('migrate', 1)
    report!('migrate', 2)
    report!('migrate', 3)
    report!('validate', 1)
    report!('validate', 2)
    finish!()

    await responseOf(1)
    expect(progressOf(1).map((p) => [p.phase, p.done])).toEqual([
      ['migrate', 1],
      ['migrate', 3],
      ['validate', 2],
    ])
  })

  it('sends a progress report again once the interval has passed', async () => {
    let report: ((done: number) => void) | undefined
    let finish: (() => void) | undefined
    const { dispatcher, progressOf, advance, responseOf } = setup({
      validate: (_params, ctx) =>
        new Promise((resolve) => {
          report = (done) =>
            ctx.progress({ phase: 'validate', done, total: 3, bytesIn: 0, bytesOut: 0 })
          finish = () => resolve({ ok: true } as never)
        }),
    })
    dispatcher.receive({ kind: 'request', id: 1, method: 'validate', params: { fix: false } })

    report!(1)
    advance(50)
    report!(2)
    advance(50)
    report!(3)
    finish!()

    await responseOf(1)
    const progress: Progress[] = progressOf(1)
    expect(progress.map((p) => [p.done, p.elapsedMs])).toEqual([
      [1, 0],
      [3, 100],
    ])
  })

  it('sends nothing after close', async () => {
    const { dispatcher, sent } = setup()

    await dispatcher.close()
    dispatcher.receive({ kind: 'request', id: 1, method: 'summary', params: {} })

    expect(sent).toHaveLength(1)
  })

  it('reports a result that cannot be sent as Internal', async () => {
    const sent: FromCore[] = []
    const dispatcher = createDispatcher(
      { ...createFakeHandlers(), detectRepository: async () => ({ kind: 'none' }) },
      (m) => {
        if (m.kind === 'response' && m.ok) {
          throw new CoralError('Internal', 'DataCloneError')
        }
        sent.push(m)
      },
    )

    dispatcher.receive({
      kind: 'request',
      id: 1,
      method: 'detectRepository',
      params: { path: '/x' },
    })

    await expect.poll(() => sent.length).toBe(2)
    const response = sent[1]!
    expect(response.kind === 'response' && !response.ok && response.error.code).toBe('Internal')
  })
})
