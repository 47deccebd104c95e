/**
 * The host's handle on the core worker: typed requests over a `CoreTransport`.
 *
 * Used by `coral-ml ui` and by the worker contract tests. It numbers the
 * requests, routes progress, revives errors, and restarts the worker when it
 * dies, failing only the requests that were in flight at that moment.
 */
import { CoralError, reviveError } from '../errors.js'
import type { SerializedError } from '../errors.js'
import type { CoreMethod, ParamsOf, Progress, ResultOf } from './contract.js'
import { forkWorker } from './transports/child-process-transport.js'
import type { CoreTransport, WorkerExit } from './transports/core-transport.js'
import { isRequestId } from './dispatcher.js'

/** A request in flight: its result, and a way to cancel it. */
export interface PendingCoreRequest<T> {
  readonly result: Promise<T>
  /** Asks the core to stop; the result then usually rejects with code `Cancelled`. */
  cancel(): void
}

/** Typed access to a core worker. */
export interface CoreClient {
  /**
   * Sends one request; `onProgress` receives its progress messages.
   *
   * Requests made before the worker is ready (or while it restarts) wait and
   * go out once it is. A failed request rejects with a revived `CoralError`.
   */
  request<M extends CoreMethod>(
    method: M,
    params: ParamsOf<M>,
    onProgress?: (progress: Progress) => void,
  ): PendingCoreRequest<ResultOf<M>>
  /** Called after the worker was restarted (its state, e.g. the open repository, is gone). */
  onRestart(listener: () => void): () => void
  /** Process id of the current worker, when known. */
  readonly pid: number | undefined
  /** Stops the worker (gracefully, then SIGKILL after `closeTimeoutMs`); pending requests reject with `Cancelled`. */
  close(): Promise<void>
}

/** Limits of the restart policy and shutdown. */
export interface CoreClientOptions {
  /** Most restarts within `restartWindowMs`; one more death leaves the core stopped. */
  maxRestarts?: number
  /** Length of the window restarts are counted in, in ms. */
  restartWindowMs?: number
  /** How long `close` waits for the worker to exit before killing it, in ms. */
  closeTimeoutMs?: number
}

/** How to start the worker process. */
export interface StartCoreWorkerOptions {
  /** Node flags for the child, e.g. `['--import', 'tsx']` to run a `.ts` entry. */
  execArgv?: string[]
  /** The worker module; defaults to the compiled `worker-main.js` next to this file. */
  entry?: string | URL
  env?: NodeJS.ProcessEnv
}

/** Forks the core worker as a Node child process. */
export function startCoreWorker(options: StartCoreWorkerOptions = {}): CoreTransport {
  const entry = options.entry ?? new URL('./worker-main.js', import.meta.url)
  return forkWorker(entry, {
    ...(options.execArgv === undefined ? {} : { execArgv: options.execArgv }),
    ...(options.env === undefined ? {} : { env: options.env }),
  })
}

interface Entry {
  id: number
  method: CoreMethod
  params: unknown
  onProgress: ((progress: Progress) => void) | undefined
  resolve(value: unknown): void
  reject(error: CoralError): void
}

/**
 * Creates a client over the workers that `start` creates.
 *
 * `start` is called once now and again after each unexpected exit, at most
 * `maxRestarts` times per `restartWindowMs`.
 */
export function createCoreClient(
  start: () => CoreTransport,
  options: CoreClientOptions = {},
): CoreClient {
  const maxRestarts = options.maxRestarts ?? 3
  const restartWindowMs = options.restartWindowMs ?? 60_000
  const closeTimeoutMs = options.closeTimeoutMs ?? 10_000

  let nextId = 1
  /** Requests not yet sent to the current worker (it is not ready). */
  const queued = new Map<number, Entry>()
  /** Requests the current worker has. */
  const sent = new Map<number, Entry>()
  const restartListeners = new Set<() => void>()
  const restarts: number[] = []
  let transport: CoreTransport
  let ready = false
  /** False once the current worker has exited. */
  let alive = false
  let stopped: CoralError | undefined
  let closing: Promise<void> | undefined

  function connect(): void {
    const current = start()
    transport = current
    ready = false
    alive = true
    current.onMessage((message) => {
      if (transport === current) {
        receive(message)
      }
    })
    current.onExit((exit) => {
      if (transport === current) {
        alive = false
        exited(exit)
      }
    })
  }

  function send(entry: Entry): void {
    queued.delete(entry.id)
    sent.set(entry.id, entry)
    transport.send({ kind: 'request', id: entry.id, method: entry.method, params: entry.params })
  }

  function receive(message: unknown): void {
    const m = message as {
      kind?: unknown
      id?: unknown
      ok?: unknown
      result?: unknown
      error?: SerializedError
      progress?: Progress
    }
    if (typeof message !== 'object' || message === null) {
      return
    }
    if (m.kind === 'ready') {
      ready = true
      for (const entry of [...queued.values()]) {
        send(entry)
      }
      return
    }
    if (!isRequestId(m.id)) {
      return
    }
    const entry = sent.get(m.id)
    if (entry === undefined) {
      return
    }
    if (m.kind === 'progress' && m.progress !== undefined) {
      try {
        entry.onProgress?.(m.progress)
      } catch {
        // A throwing progress listener must not take the client down.
      }
    } else if (m.kind === 'response') {
      sent.delete(m.id)
      if (m.ok === true) {
        entry.resolve(m.result)
      } else {
        entry.reject(
          reviveError(m.error ?? { code: 'Internal', message: 'No error given.', data: {} }),
        )
      }
    }
  }

  function exited(exit: WorkerExit): void {
    if (closing !== undefined) {
      return
    }
    const how = exit.code !== null ? `exit code ${exit.code}` : `signal ${exit.signal ?? 'unknown'}`

    // Decide whether to restart
    const now = Date.now()
    while (restarts.length > 0 && restarts[0]! <= now - restartWindowMs) {
      restarts.shift()
    }
    const restart = restarts.length < maxRestarts
    const message = restart
      ? `The Coral core process stopped unexpectedly (${how}); it has been restarted.`
      : `The Coral core process stopped unexpectedly (${how}) ${restarts.length + 1} times within ${Math.round(restartWindowMs / 1000)} s; it was not restarted.`
    const error = () =>
      new CoralError('Internal', message, { exitCode: exit.code, signal: exit.signal })

    // Fail what the dead worker had; queued requests go to the next one
    for (const entry of sent.values()) {
      entry.reject(error())
    }
    sent.clear()
    if (restart) {
      restarts.push(now)
      connect()
      for (const listener of restartListeners) {
        listener()
      }
    } else {
      stopped = error()
      for (const entry of queued.values()) {
        entry.reject(error())
      }
      queued.clear()
    }
  }

  function request<M extends CoreMethod>(
    method: M,
    params: ParamsOf<M>,
    onProgress?: (progress: Progress) => void,
  ): PendingCoreRequest<ResultOf<M>> {
    const id = nextId++
    let entry!: Entry
    const result = new Promise<ResultOf<M>>((resolve, reject) => {
      entry = {
        id,
        method,
        params,
        onProgress,
        resolve: resolve as (value: unknown) => void,
        reject,
      }
    })
    if (closing !== undefined || stopped !== undefined) {
      entry.reject(stopped ?? shuttingDown())
    } else if (ready) {
      send(entry)
    } else {
      queued.set(id, entry)
    }
    return {
      result,
      cancel() {
        if (queued.delete(id)) {
          entry.reject(new CoralError('Cancelled', 'The operation was cancelled.'))
        } else if (sent.has(id)) {
          transport.send({ kind: 'cancel', id })
        }
      },
    }
  }

  function close(): Promise<void> {
    if (closing !== undefined) {
      return closing
    }
    const current = transport
    closing = new Promise<void>((resolve) => {
      if (!alive) {
        resolve()
        return
      }
      let timer: ReturnType<typeof setTimeout> | undefined
      current.onExit(() => {
        clearTimeout(timer)
        resolve()
      })
      timer = setTimeout(() => current.kill(), closeTimeoutMs)
      current.close()
    })
    for (const entry of [...queued.values(), ...sent.values()]) {
      entry.reject(shuttingDown())
    }
    queued.clear()
    sent.clear()
    return closing
  }

  connect()
  return {
    request,
    onRestart(listener) {
      restartListeners.add(listener)
      return () => restartListeners.delete(listener)
    },
    get pid() {
      return transport.pid
    },
    close,
  }
}

function shuttingDown(): CoralError {
  return new CoralError('Cancelled', 'The Coral core is shutting down; the request was cancelled.')
}
