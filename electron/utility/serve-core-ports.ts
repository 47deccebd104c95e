/**
 * Serves the core contract over MessagePorts handed in by Electron main.
 *
 * `core/api/worker-main.ts` serves one dispatcher over `process.parentPort` itself; Electron
 * needs one connection per window, each on its own MessagePort, so the renderer talks to the
 * core without main on the data path. This adapter keeps the core's dispatcher and handlers
 * and only changes the transport: main sends `{ type: 'coral:connect' }` with `ports[0]` (one
 * dispatcher per port, all sharing one set of handlers, so a reloaded window finds its
 * repository still open), and `{ type: 'coral:shutdown' }` at quit (abort, settle, exit 0).
 */
import type { FromCore } from '../../core/api/contract.js'
import type { Dispatcher, DispatcherOptions } from '../../core/api/dispatcher.js'
import type { CoreHandlers } from '../../core/api/handlers-type.js'
import type { ToUtility } from '../shared/channels.js'

/** Electron's `MessagePortMain`, reduced to what the adapter uses. */
export interface CorePortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown
  on(event: 'close', listener: () => void): unknown
  postMessage(message: FromCore): void
  start(): void
  close(): void
}

/** Electron's `process.parentPort`, reduced to what the adapter uses. */
export interface ParentPortLike {
  on(event: 'message', listener: (event: { data: unknown; ports: CorePortLike[] }) => void): unknown
}

/** What `serveCorePorts` needs. */
export interface ServeCorePortsDeps {
  parentPort: ParentPortLike
  handlers: CoreHandlers
  createDispatcher: (
    handlers: CoreHandlers,
    send: (message: FromCore) => void,
    options?: DispatcherOptions,
  ) => Dispatcher
  /** Ends the process (`process.exit`). */
  exit: (code: number) => void
  /** One log line (the utility's stderr, which main forwards to its log). */
  log: (line: string) => void
}

/** Starts listening on the parent port; returns the number of open connections, for tests. */
export function serveCorePorts(deps: ServeCorePortsDeps): { connections(): number } {
  const open = new Map<CorePortLike, Dispatcher>()
  let shuttingDown = false

  function connect(port: CorePortLike): void {
    const dispatcher = deps.createDispatcher(
      deps.handlers,
      (message) => port.postMessage(message),
      { log: deps.log },
    )
    open.set(port, dispatcher)
    port.on('message', (event) => dispatcher.receive(event.data))
    // The window closed or reloaded: abort its requests so nothing runs for nobody.
    port.on('close', () => {
      open.delete(port)
      void dispatcher.close()
    })
    port.start()
  }

  async function shutdown(): Promise<void> {
    shuttingDown = true
    const dispatchers = [...open.values()]
    open.clear()
    await Promise.allSettled(dispatchers.map((dispatcher) => dispatcher.close()))
    deps.exit(0)
  }

  deps.parentPort.on('message', (event) => {
    const message = event.data as Partial<ToUtility> | null
    if (message?.type === 'coral:connect') {
      const port = event.ports[0]
      if (port === undefined || shuttingDown) {
        deps.log(
          `dropped coral:connect ${port === undefined ? 'without a port' : 'during shutdown'}`,
        )
        port?.close()
        return
      }
      connect(port)
    } else if (message?.type === 'coral:shutdown') {
      if (!shuttingDown) {
        void shutdown()
      }
    } else {
      deps.log('dropped an unknown message from main')
    }
  })

  return { connections: () => open.size }
}
