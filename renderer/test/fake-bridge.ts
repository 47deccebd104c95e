/**
 * A Bridge for tests: records every request and lets the test settle it.
 *
 * Each request becomes a `FakeCall` the test can resolve, reject or feed
 * progress events, and that records whether the renderer cancelled it. As
 * the real bridges do, a cancel makes the result reject with code
 * `Cancelled` (unless `autoRejectOnCancel` is false).
 */
import type { CoreMethod, ParamsOf, Progress, ResultOf } from '../../core/api/contract'
import type { Bridge, HostApi, PendingRequest } from '../lib/bridge'

/** One recorded request. */
export interface FakeCall<M extends CoreMethod = CoreMethod> {
  method: M
  params: ParamsOf<M>
  cancelled: boolean
  settled: boolean
  resolve(result: ResultOf<M>): void
  reject(error: unknown): void
  /** Sends a progress event to the request's `onProgress`. */
  emit(progress: Partial<Progress>): void
}

/** The fake and its controls. */
export interface FakeBridge extends Bridge {
  readonly calls: FakeCall[]
  /** Calls of `method`, oldest first. */
  callsOf<M extends CoreMethod>(method: M): FakeCall<M>[]
  /** The newest call of `method`; throws when there is none. */
  last<M extends CoreMethod>(method: M): FakeCall<M>
  /** Tells listeners the connection dropped or came back. */
  setConnected(connected: boolean, reason?: string): void
  /** Answers requests of `method` at once with `result` from now on. */
  autoRespond<M extends CoreMethod>(method: M, result: ResultOf<M>): void
}

/** An error shaped like a revived CoralError (only `code` and `message` matter to the renderer). */
export function coralError(code: string, message = `${code} failure`): Error & { code: string } {
  return Object.assign(new Error(message), { code })
}

/** Makes a fake bridge; `host` overrides the host API (browser kind by default). */
export function createFakeBridge(
  options: { host?: Partial<HostApi>; autoRejectOnCancel?: boolean } = {},
): FakeBridge {
  const calls: FakeCall[] = []
  const listeners = new Set<(connected: boolean, reason?: string) => void>()
  const auto = new Map<CoreMethod, unknown>()
  const autoReject = options.autoRejectOnCancel ?? true
  const host: HostApi = {
    kind: options.host?.kind ?? 'browser',
    pickDirectory: options.host?.pickDirectory ?? (async () => null),
  }

  function request<M extends CoreMethod>(
    method: M,
    params: ParamsOf<M>,
    onProgress?: (progress: Progress) => void,
  ): PendingRequest<ResultOf<M>> {
    let resolve!: (value: ResultOf<M>) => void
    let reject!: (error: unknown) => void
    const result = new Promise<ResultOf<M>>((res, rej) => {
      resolve = res
      reject = rej
    })
    const call: FakeCall<M> = {
      method,
      params,
      cancelled: false,
      settled: false,
      resolve: (value) => {
        call.settled = true
        resolve(value)
      },
      reject: (error) => {
        call.settled = true
        reject(error)
      },
      emit: (progress) =>
        onProgress?.({
          phase: 'encode',
          done: 0,
          total: 0,
          bytesIn: 0,
          bytesOut: 0,
          elapsedMs: 0,
          ...progress,
        }),
    }
    calls.push(call as unknown as FakeCall)
    if (auto.has(method)) {
      call.resolve(auto.get(method) as ResultOf<M>)
    }
    return {
      result,
      cancel: () => {
        call.cancelled = true
        if (autoReject && !call.settled) {
          call.reject(coralError('Cancelled', 'The operation was cancelled.'))
        }
      },
    }
  }

  const callsOf = <M extends CoreMethod>(method: M) =>
    calls.filter((c) => c.method === method) as unknown as FakeCall<M>[]

  return {
    host,
    calls,
    request,
    callsOf,
    last: (method) => {
      const found = callsOf(method).at(-1)
      if (found === undefined) {
        throw new Error(`no ${method} request was made`)
      }
      return found
    },
    onConnectionChange: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    setConnected: (connected, reason) => {
      for (const listener of listeners) {
        listener(connected, reason)
      }
    },
    autoRespond: (method, result) => {
      auto.set(method, result)
    },
  }
}
