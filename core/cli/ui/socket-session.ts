/**
 * Relays one browser WebSocket to the shared core client.
 *
 * Each tab numbers its requests from 1, so the ids a browser sends are only
 * meaningful on its own socket. The session sends each request to the core
 * under a fresh client id (the client numbers them) and answers the browser
 * under the browser's id, so two tabs can never collide. A socket that closes
 * cancels everything it still had in flight.
 */
import type { WebSocket } from 'ws'
import { CoralError } from '../../errors.js'
import { CONTRACT_VERSION } from '../../api/contract.js'
import type { CoreMethod, FromCore } from '../../api/contract.js'
import type { CoreClient, PendingCoreRequest } from '../../api/core-client.js'
import { isRequestId } from '../../api/dispatcher.js'
import { serializeError } from '../../api/serialize-error.js'

/** Most requests one socket may have in flight at once. */
export const MAX_IN_FLIGHT_PER_SOCKET = 64

/** Called after each request the core answered successfully. */
export type ResultObserver = (method: CoreMethod, params: unknown, result: unknown) => void

/** Hooks of the server around each relayed request. */
export interface SessionHooks {
  /**
   * Resolves when requests may go to the core; the server holds them while
   * it reopens the repository in a restarted worker.
   */
  gate?: () => Promise<void>
  /** Called after each request the core answered successfully. */
  onResult?: ResultObserver
}

/** Serves `socket` until it closes. */
export function attachSocketSession(
  socket: WebSocket,
  client: CoreClient,
  hooks: SessionHooks = {},
): void {
  const gate = hooks.gate ?? (() => Promise.resolve())
  const onResult = hooks.onResult ?? (() => {})
  const inFlight = new Map<number, Pick<PendingCoreRequest<unknown>, 'cancel'>>()

  function post(message: FromCore): void {
    if (socket.readyState === socket.OPEN) {
      socket.send(JSON.stringify(message))
    }
  }

  function fail(id: number, error: unknown): void {
    post({ kind: 'response', id, ok: false, error: serializeError(error) })
  }

  function start(id: number, method: string, params: unknown): void {
    if (inFlight.has(id)) {
      fail(id, new CoralError('InvalidArgument', `Request id ${id} is already in flight.`, { id }))
      return
    }
    if (inFlight.size >= MAX_IN_FLIGHT_PER_SOCKET) {
      fail(
        id,
        new CoralError(
          'InvalidArgument',
          `Too many requests in flight (at most ${MAX_IN_FLIGHT_PER_SOCKET}).`,
        ),
      )
      return
    }
    // Held in a slot until the gate opens, so a cancel that comes first still counts.
    const slot: { cancelled: boolean; pending?: PendingCoreRequest<unknown> } = { cancelled: false }
    inFlight.set(id, {
      cancel() {
        slot.cancelled = true
        slot.pending?.cancel()
      },
    })
    void gate().then(() => {
      if (slot.cancelled) {
        inFlight.delete(id)
        fail(id, new CoralError('Cancelled', 'The operation was cancelled.'))
        return
      }
      // The method and params are checked by the worker's dispatcher.
      slot.pending = client.request(method as CoreMethod, params as never, (progress) =>
        post({ kind: 'progress', id, progress }),
      )
      slot.pending.result.then(
        (result) => {
          inFlight.delete(id)
          onResult(method as CoreMethod, params, result)
          post({ kind: 'response', id, ok: true, result })
        },
        (error: unknown) => {
          inFlight.delete(id)
          fail(id, error)
        },
      )
    })
  }

  socket.on('message', (data, isBinary) => {
    let message: { kind?: unknown; id?: unknown; method?: unknown; params?: unknown }
    try {
      message = isBinary ? undefined : JSON.parse(data.toString())
    } catch {
      message = {}
    }
    if (typeof message !== 'object' || message === null || !isRequestId(message.id)) {
      // Unsupported data: the endpoint speaks JSON envelopes only.
      socket.close(1003, 'Expected a JSON envelope with an id')
      return
    }
    if (message.kind === 'cancel') {
      inFlight.get(message.id)?.cancel()
    } else if (message.kind === 'request' && typeof message.method === 'string') {
      start(message.id, message.method, message.params)
    } else {
      fail(
        message.id,
        new CoralError('InvalidArgument', 'Expected a request or a cancel envelope.'),
      )
    }
  })

  socket.on('close', () => {
    for (const pending of inFlight.values()) {
      pending.cancel()
    }
    inFlight.clear()
  })

  post({ kind: 'ready', version: CONTRACT_VERSION })
}
