/**
 * Routes `ToCore` envelopes to the core's handlers and answers with `FromCore`.
 *
 * The dispatcher knows nothing about processes: it is fed messages and given
 * a `send` function, so the same code runs in an Electron utility process, a
 * Node child process and in tests. See `README.md` in this folder for the
 * wire protocol.
 */
import { CoralError } from '../errors.js'
import { CONTRACT_VERSION } from './contract.js'
import type { CoreMethod, FromCore, Progress } from './contract.js'
import type { CoreHandlers, RequestContext } from './handlers-type.js'
import { serializeError } from './serialize-error.js'
import { validateParams } from './validate-params.js'

/** Default minimum gap between two progress messages of one request, in ms (10 Hz). */
export const PROGRESS_INTERVAL_MS = 100

/** Tuning and test hooks of the dispatcher. */
export interface DispatcherOptions {
  /** Minimum gap between two progress messages of one request, in ms. */
  progressIntervalMs?: number
  /** Monotonic clock in ms; tests pass a fake one. */
  now?: () => number
  /** Receives one line about each message that had to be dropped. */
  log?: (line: string) => void
}

/** A running dispatcher. */
export interface Dispatcher {
  /** Handles one incoming message (anything: it is validated here). */
  receive(message: unknown): void
  /**
   * Aborts every request in flight and stops sending.
   *
   * Resolves once every handler has settled, so a host can exit without
   * cutting a migration off between two of its steps.
   */
  close(): Promise<void>
}

interface InFlight {
  controller: AbortController
  done: Promise<void>
}

/**
 * Creates a dispatcher over `handlers` that answers through `send`.
 *
 * Sends `ready` at once. Requests run concurrently, each with its own
 * `AbortController`; a `cancel` envelope aborts the matching one. A request
 * whose id is already in flight is answered with `InvalidArgument` under that
 * id and the first one keeps running.
 */
export function createDispatcher(
  handlers: CoreHandlers,
  send: (message: FromCore) => void,
  options: DispatcherOptions = {},
): Dispatcher {
  const interval = options.progressIntervalMs ?? PROGRESS_INTERVAL_MS
  const now = options.now ?? (() => performance.now())
  const log = options.log ?? (() => {})
  const inFlight = new Map<number, InFlight>()
  let closed = false

  function post(message: FromCore): void {
    if (!closed) {
      send(message)
    }
  }

  function respond(
    id: number,
    outcome: { ok: true; result: unknown } | { ok: false; error: unknown },
  ) {
    if (outcome.ok) {
      try {
        post({ kind: 'response', id, ok: true, result: outcome.result })
        return
      } catch (error) {
        // A result that cannot be cloned is a handler bug; say so instead of going silent.
        outcome = {
          ok: false,
          error: new CoralError(
            'Internal',
            `Internal error: the result could not be sent: ${String(error)}`,
          ),
        }
      }
    }
    try {
      post({ kind: 'response', id, ok: false, error: serializeError(outcome.error) })
    } catch {
      // `data` held something that cannot be cloned: keep the code and message.
      const { code, message } = serializeError(outcome.error)
      post({ kind: 'response', id, ok: false, error: { code, message, data: {} } })
    }
  }

  function start(id: number, method: string, params: unknown): void {
    // Validate
    if (inFlight.has(id)) {
      respond(id, {
        ok: false,
        error: new CoralError('InvalidArgument', `Request id ${id} is already in flight.`, { id }),
      })
      return
    }
    let clean: unknown
    try {
      clean = validateParams(method, params)
    } catch (error) {
      respond(id, { ok: false, error })
      return
    }

    // Run
    const controller = new AbortController()
    const progress = createProgressThrottle(id, now, interval, post)
    const ctx: RequestContext = { signal: controller.signal, progress: progress.report }
    const handler = handlers[method as CoreMethod] as (
      params: unknown,
      ctx: RequestContext,
    ) => Promise<unknown>
    // Registered before the handler runs: a handler that throws synchronously
    // must not leave a stale entry behind.
    const entry: InFlight = { controller, done: Promise.resolve() }
    inFlight.set(id, entry)
    entry.done = (async () => {
      try {
        const result = await handler(clean, ctx)
        progress.finish()
        respond(id, { ok: true, result })
      } catch (error) {
        progress.finish()
        respond(id, { ok: false, error })
      } finally {
        inFlight.delete(id)
      }
    })()
  }

  function receive(message: unknown): void {
    if (closed) {
      return
    }
    const envelope = message as { kind?: unknown; id?: unknown; method?: unknown; params?: unknown }
    if (typeof message !== 'object' || message === null || !isRequestId(envelope.id)) {
      log(`dropped a message without a valid id: ${shortJson(message)}`)
      return
    }
    const id = envelope.id
    if (envelope.kind === 'cancel') {
      inFlight.get(id)?.controller.abort()
      return
    }
    if (envelope.kind !== 'request') {
      log(`dropped a message of unknown kind: ${shortJson(message)}`)
      return
    }
    if (typeof envelope.method !== 'string') {
      respond(id, {
        ok: false,
        error: new CoralError('InvalidArgument', 'The request names no method.', { id }),
      })
      return
    }
    start(id, envelope.method, envelope.params)
  }

  async function close(): Promise<void> {
    closed = true
    const pending = [...inFlight.values()]
    for (const request of pending) {
      request.controller.abort()
    }
    await Promise.all(pending.map((request) => request.done))
  }

  send({ kind: 'ready', version: CONTRACT_VERSION })
  return { receive, close }
}

/** True for a non-negative safe integer. */
export function isRequestId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/**
 * Limits one request's progress to one message per `interval` ms.
 *
 * The first report goes out at once; later ones within the interval replace
 * a pending one that a timer flushes, unless they start a new phase: then
 * the pending one is sent first. `finish` flushes the pending report before
 * the response, so the last figure a front end sees is the final one.
 */
function createProgressThrottle(
  id: number,
  now: () => number,
  interval: number,
  post: (message: FromCore) => void,
) {
  const startedAt = now()
  let lastSentAt = -Infinity
  let pending: Progress | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let finished = false

  function flush(): void {
    timer = undefined
    if (pending !== undefined) {
      const progress = pending
      pending = undefined
      lastSentAt = now()
      post({ kind: 'progress', id, progress })
    }
  }

  function report(p: Omit<Progress, 'elapsedMs'>): void {
    if (finished) {
      // A handler that reports after returning is ignored: the response is already out.
      return
    }
    const at = now()
    if (pending !== undefined && pending.phase !== String(p.phase)) {
      // A phase's last figure (often done = total) goes out before the next
      // phase replaces it, so front ends see every phase end.
      clearTimeout(timer)
      flush()
    }
    pending = {
      phase: String(p.phase),
      done: p.done,
      total: p.total,
      bytesIn: p.bytesIn,
      bytesOut: p.bytesOut,
      elapsedMs: Math.max(0, Math.round(at - startedAt)),
    }
    const wait = lastSentAt + interval - at
    if (wait <= 0) {
      clearTimeout(timer)
      flush()
    } else if (timer === undefined) {
      timer = setTimeout(flush, wait)
    }
  }

  function finish(): void {
    finished = true
    clearTimeout(timer)
    flush()
  }

  return { report, finish }
}

function shortJson(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value)
    return text.length > 200 ? `${text.slice(0, 197)}...` : text
  } catch {
    return String(value)
  }
}
