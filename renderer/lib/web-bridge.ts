/**
 * The Bridge of the browser build: a WebSocket to `coral-ml ui`.
 *
 * The page is opened at `/?token=<token>`; the bridge reads the token from
 * the address, asks `/api/session` which repository the server opened, and
 * speaks the core's envelopes over `/ws`. When the socket drops, requests in
 * flight reject with `Cancelled` (the server cancels them too), new requests
 * wait, and the bridge reconnects with a growing delay.
 */
// NOTE: errors.ts is dependency-free; it is the only runtime import from core/.
import { CoralError, reviveError } from '../../core/errors'
import type { SerializedError } from '../../core/errors'
import type { CoreMethod, ParamsOf, Progress, ResultOf, ToCore } from '../../core/api/contract'
import type { Bridge, HostApi, PendingRequest } from './bridge'

/** The browser Bridge, plus what the server told it at start. */
export interface WebBridge extends Bridge {
  /** The repository `coral-ml ui <path>` opened before serving, or null. */
  readonly initialRepository: string | null
  /** Closes the socket for good; pending requests reject with `Cancelled`. */
  close(): void
}

/** Injection points, for tests and non-browser hosts. */
export interface WebBridgeOptions {
  /** The WebSocket class; defaults to the global one. */
  WebSocket?: typeof WebSocket
  /** The fetch function; defaults to the global one. */
  fetch?: typeof fetch
  /** First reconnect delay, in ms; doubles on each failure. */
  reconnectInitialMs?: number
  /** Longest reconnect delay, in ms. */
  reconnectMaxMs?: number
}

interface Entry {
  method: CoreMethod
  params: unknown
  onProgress: ((progress: Progress) => void) | undefined
  resolve(value: unknown): void
  reject(error: CoralError): void
  sent: boolean
}

/**
 * Connects to the server that served `location` and returns the Bridge.
 *
 * Throws `InvalidArgument` when the address carries no token or the server
 * refuses it (an old tab of a server that has since restarted), and `IoError`
 * when the server cannot be reached.
 */
export async function createWebBridge(
  location: Location,
  options: WebBridgeOptions = {},
): Promise<WebBridge> {
  const Socket = options.WebSocket ?? globalThis.WebSocket
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis)
  const initialDelay = options.reconnectInitialMs ?? 250
  const maxDelay = options.reconnectMaxMs ?? 5000

  // Token and session
  const token = new URLSearchParams(location.search).get('token')
  if (token === null || token === '') {
    throw new CoralError(
      'InvalidArgument',
      'This address has no access token; open the address that coral-ml ui printed.',
    )
  }
  const initialRepository = await readSession(fetchFn, location, token)
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const socketUrl = `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`

  // Connection state
  const entries = new Map<number, Entry>()
  const listeners = new Set<(connected: boolean, reason?: string) => void>()
  let nextId = 1
  let socket: WebSocket | undefined
  let connected = false
  let lostReason: string | undefined
  let attempts = 0
  let closed = false
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let firstOutcome: (() => void) | undefined
  const settledOnce = new Promise<void>((resolve) => (firstOutcome = resolve))

  function notify(isConnected: boolean, reason?: string): void {
    for (const listener of listeners) {
      try {
        listener(isConnected, reason)
      } catch {
        // A failing listener must not break the connection logic.
      }
    }
  }

  function transmit(message: ToCore): void {
    socket?.send(JSON.stringify(message))
  }

  function sendEntry(id: number, entry: Entry): void {
    entry.sent = true
    transmit({ kind: 'request', id, method: entry.method, params: entry.params })
  }

  function receive(data: unknown): void {
    let message: {
      kind?: unknown
      id?: unknown
      ok?: unknown
      result?: unknown
      error?: SerializedError
      progress?: Progress
    }
    try {
      message = JSON.parse(String(data))
    } catch {
      return
    }
    if (typeof message !== 'object' || message === null || typeof message.id !== 'number') {
      return
    }
    const entry = entries.get(message.id)
    if (entry === undefined) {
      return
    }
    if (message.kind === 'progress' && message.progress !== undefined) {
      try {
        entry.onProgress?.(message.progress)
      } catch {
        // A throwing progress listener must not lose the response.
      }
    } else if (message.kind === 'response') {
      entries.delete(message.id)
      if (message.ok === true) {
        entry.resolve(message.result)
      } else {
        entry.reject(
          reviveError(message.error ?? { code: 'Internal', message: 'No error given.', data: {} }),
        )
      }
    }
  }

  function connect(): void {
    retryTimer = undefined
    const current = new Socket(socketUrl)
    socket = current
    current.onopen = () => {
      connected = true
      attempts = 0
      const wasLost = lostReason !== undefined
      lostReason = undefined
      for (const [id, entry] of entries) {
        if (!entry.sent) {
          sendEntry(id, entry)
        }
      }
      firstOutcome?.()
      if (wasLost) {
        notify(true)
      }
    }
    current.onmessage = (event: MessageEvent) => receive(event.data)
    // `close` follows every `error` and does the work; without a listener
    // Node WebSocket implementations (the `ws` package) throw on `error`.
    current.onerror = () => {}
    current.onclose = (event: CloseEvent) => {
      if (socket !== current) {
        return
      }
      socket = undefined
      const wasConnected = connected
      connected = false

      // The server cancels what this socket had in flight; say so here too
      for (const [id, entry] of entries) {
        if (entry.sent) {
          entries.delete(id)
          entry.reject(
            new CoralError(
              'Cancelled',
              'The connection to the Coral server was lost; the request was cancelled.',
            ),
          )
        }
      }
      if (closed) {
        return
      }
      const reason = `The connection to the Coral server was lost (code ${event.code}); reconnecting.`
      if (wasConnected || lostReason === undefined) {
        lostReason = reason
        notify(false, reason)
      }
      firstOutcome?.()
      const delay = Math.min(maxDelay, initialDelay * 2 ** attempts)
      attempts += 1
      retryTimer = setTimeout(connect, delay)
    }
  }

  function request<M extends CoreMethod>(
    method: M,
    params: ParamsOf<M>,
    onProgress?: (progress: Progress) => void,
  ): PendingRequest<ResultOf<M>> {
    const id = nextId++
    let entry!: Entry
    const result = new Promise<ResultOf<M>>((resolve, reject) => {
      entry = {
        method,
        params,
        onProgress,
        resolve: resolve as (value: unknown) => void,
        reject,
        sent: false,
      }
    })
    if (closed) {
      entry.reject(new CoralError('Cancelled', 'The connection to the Coral server is closed.'))
      return { result, cancel: () => {} }
    }
    entries.set(id, entry)
    if (connected) {
      sendEntry(id, entry)
    }
    return {
      result,
      cancel() {
        const current = entries.get(id)
        if (current === undefined) {
          return
        }
        if (current.sent) {
          transmit({ kind: 'cancel', id })
        } else {
          entries.delete(id)
          current.reject(new CoralError('Cancelled', 'The operation was cancelled.'))
        }
      },
    }
  }

  const host: HostApi = { kind: 'browser', pickDirectory: async () => null }
  connect()
  await settledOnce
  firstOutcome = undefined

  return {
    host,
    initialRepository,
    request,
    onConnectionChange(listener) {
      listeners.add(listener)
      if (lostReason !== undefined) {
        // Late subscribers still learn that the connection is down.
        listener(false, lostReason)
      }
      return () => {
        listeners.delete(listener)
      }
    },
    close() {
      closed = true
      clearTimeout(retryTimer)
      socket?.close(1000)
      for (const entry of entries.values()) {
        entry.reject(new CoralError('Cancelled', 'The connection to the Coral server is closed.'))
      }
      entries.clear()
    },
  }
}

/** Reads `/api/session`: which repository the server opened at start. */
async function readSession(
  fetchFn: typeof fetch,
  location: Location,
  token: string,
): Promise<string | null> {
  let response: Response
  try {
    response = await fetchFn(
      `${location.protocol}//${location.host}/api/session?token=${encodeURIComponent(token)}`,
      { cache: 'no-store' },
    )
  } catch (error) {
    throw new CoralError('IoError', `The Coral server cannot be reached: ${String(error)}`)
  }
  if (response.status === 401 || response.status === 403) {
    throw new CoralError(
      'InvalidArgument',
      'The Coral server refused this page (its token is from an earlier run); open the address that coral-ml ui printed.',
    )
  }
  if (!response.ok) {
    throw new CoralError('IoError', `The Coral server answered ${response.status} to /api/session.`)
  }
  const body = (await response.json()) as { repoPath?: unknown }
  return typeof body.repoPath === 'string' ? body.repoPath : null
}
