/**
 * Serves a set of handlers over the worker's host link.
 */
import { createDispatcher } from '../dispatcher.js'
import type { Dispatcher } from '../dispatcher.js'
import type { CoreHandlers } from '../handlers-type.js'
import { connectToHost } from './worker-port.js'
import type { WorkerPort } from './worker-port.js'

/**
 * Connects `handlers` to the host and keeps serving until the host leaves.
 *
 * When the host disconnects (the parent closed the channel or exited), every
 * request in flight is aborted, and the process exits once they have settled
 * so a migration stops at a safe point rather than mid-write.
 */
export function runWorker(handlers: CoreHandlers, port: WorkerPort = connectToHost()): Dispatcher {
  const dispatcher = createDispatcher(handlers, (message) => port.send(message), {
    // stderr is the worker's log: the host forwards or shows it.
    log: (line) => process.stderr.write(`[core ${port.kind} ${process.pid}] ${line}\n`),
  })
  port.onMessage((message) => dispatcher.receive(message))
  port.onDisconnect(() => {
    void dispatcher.close().finally(() => process.exit(0))
  })
  return dispatcher
}
