/**
 * The renderer's Bridge inside Electron: the core contract over a MessagePort.
 *
 * The preload exposes `window.coralHost` and forwards ports from main with
 * `window.postMessage({ type: 'coral:core-port' }, '*', [port])`. The bridge asks for a port
 * (`coralHost.requestCorePort()`), then speaks `ToCore`/`FromCore` envelopes on it directly
 * to the core's utility process; main is not on the data path.
 *
 * When the core dies the preload posts `{ type: 'coral:core-restarted', reason, restarting }`:
 * every pending request fails with a clear `Internal` error, `onConnectionChange(false, reason)`
 * fires (the UI shows a banner), and when main's fresh port arrives it is adopted and
 * `onConnectionChange(true)` fires. Requests made while waiting for that port are held and sent
 * on it. If main gave up restarting, the next request asks for a port again (a reconnect).
 */
import { CoralError, reviveError } from '../../core/errors'
import type { SerializedError } from '../../core/errors'
import type {
  CoreMethod,
  FromCore,
  ParamsOf,
  Progress,
  ResultOf,
  ToCore,
} from '../../core/api/contract'
import type { CoralHostApi, HostWindowMessage } from '../../electron/shared/channels'
import type { Bridge, HostApi, PendingRequest } from './bridge'

/** The part of `window` the bridge uses. */
export interface ElectronBridgeWindow {
  readonly coralHost?: CoralHostApi
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void
}

/** Test hooks of `createElectronBridge`. */
export interface ElectronBridgeOptions {
  /** Defaults to the page's `window`. */
  window?: ElectronBridgeWindow
  /** How long to wait for the first port, in ms; default 15,000. */
  connectTimeoutMs?: number
}

interface Pending {
  method: CoreMethod
  resolve(result: unknown): void
  reject(error: Error): void
  onProgress: ((progress: Progress) => void) | undefined
}

const PORT_MESSAGE: HostWindowMessage['type'] = 'coral:core-port'
const RESTARTED_MESSAGE: HostWindowMessage['type'] = 'coral:core-restarted'

/** Connects to the core through the Electron preload; resolves once the first port arrived. */
export async function createElectronBridge(options: ElectronBridgeOptions = {}): Promise<Bridge> {
  const win = options.window ?? (window as unknown as ElectronBridgeWindow)
  const coralHost = win.coralHost
  if (coralHost === undefined) {
    throw new CoralError(
      'Internal',
      'window.coralHost is missing: the Electron preload did not run.',
    )
  }

  let port: MessagePort | null = null
  /** 'waiting': a port was asked for; 'down': main gave up restarting the core. */
  let link: 'connected' | 'waiting' | 'down' = 'waiting'
  let nextId = 1
  const pending = new Map<number, Pending>()
  /** Envelopes made while no port was there, sent on the next one. */
  let outbox: ToCore[] = []
  const listeners = new Set<(connected: boolean, reason?: string) => void>()
  let firstPort: (() => void) | undefined

  function notify(connected: boolean, reason?: string): void {
    for (const listener of [...listeners]) {
      listener(connected, reason)
    }
  }

  function send(message: ToCore): void {
    if (port === null) {
      outbox.push(message)
      if (link === 'down') {
        // The person acts again after main gave up: that is the cue to reconnect.
        link = 'waiting'
        coralHost!.requestCorePort()
      }
      return
    }
    port.postMessage(message)
  }

  function receive(message: FromCore): void {
    if (message.kind === 'ready') {
      return
    }
    const request = pending.get(message.id)
    if (request === undefined) {
      return
    }
    if (message.kind === 'progress') {
      request.onProgress?.(message.progress)
      return
    }
    pending.delete(message.id)
    if (message.ok) {
      request.resolve(message.result)
    } else {
      request.reject(reviveError(message.error as SerializedError))
    }
  }

  function adopt(next: MessagePort): void {
    port?.close()
    port = next
    port.onmessage = (event: MessageEvent) => receive(event.data as FromCore)
    port.start()
    const wasDown = link !== 'connected'
    link = 'connected'
    const queued = outbox
    outbox = []
    for (const message of queued) {
      port.postMessage(message)
    }
    if (firstPort) {
      firstPort()
      firstPort = undefined
    } else if (wasDown) {
      notify(true)
    }
  }

  function lose(reason: string, restarting: boolean): void {
    if (port !== null) {
      port.onmessage = null
      port.close()
      port = null
    }
    link = restarting ? 'waiting' : 'down'
    // The new core knows nothing of these requests: fail them now, with the reason.
    const failed = [...pending.values()]
    pending.clear()
    outbox = []
    for (const request of failed) {
      request.reject(
        new CoralError('Internal', `${request.method} failed: ${reason} Try again.`, {
          reason,
          method: request.method,
        }),
      )
    }
    notify(false, reason)
  }

  win.addEventListener('message', (event: MessageEvent) => {
    // Only the preload (same window) may hand out ports; other frames are ignored.
    if (event.source !== (win as unknown)) {
      return
    }
    const data = event.data as Partial<HostWindowMessage> | null
    if (data?.type === PORT_MESSAGE) {
      const next = event.ports[0]
      if (next !== undefined) {
        adopt(next)
      }
    } else if (data?.type === RESTARTED_MESSAGE) {
      const notice = data as Partial<{ reason: unknown; restarting: unknown }>
      const reason = typeof notice.reason === 'string' ? notice.reason : 'The core process stopped.'
      lose(reason, notice.restarting === true)
    }
  })

  // Ask for the first port and wait for it (bounded)
  const timeoutMs = options.connectTimeoutMs ?? 15_000
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      firstPort = undefined
      reject(
        new CoralError('Internal', `The core did not connect within ${timeoutMs / 1000} s.`, {
          timeoutMs,
        }),
      )
    }, timeoutMs)
    firstPort = () => {
      clearTimeout(timer)
      resolve()
    }
    coralHost.requestCorePort()
  })

  const host: HostApi = {
    kind: 'electron',
    pickDirectory: () => coralHost.pickDirectory(),
  }

  return {
    host,
    request<M extends CoreMethod>(
      method: M,
      params: ParamsOf<M>,
      onProgress?: (progress: Progress) => void,
    ): PendingRequest<ResultOf<M>> {
      const id = nextId++
      const result = new Promise<ResultOf<M>>((resolve, reject) => {
        pending.set(id, {
          method,
          resolve: resolve as (result: unknown) => void,
          reject,
          onProgress,
        })
      })
      try {
        send({ kind: 'request', id, method, params })
      } catch (error) {
        // postMessage throws synchronously when params cannot be cloned.
        pending
          .get(id)
          ?.reject(
            new CoralError(
              'InvalidArgument',
              `${method}: the parameters cannot be sent: ${String(error)}`,
            ),
          )
        pending.delete(id)
      }
      return {
        result,
        cancel() {
          if (pending.has(id)) {
            send({ kind: 'cancel', id })
          }
        },
      }
    },
    onConnectionChange(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
  }
}
