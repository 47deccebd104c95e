/**
 * The worker's link to its parent when it runs as a Node child process.
 */
import type { FromCore } from '../contract.js'
import type { WorkerPort } from './worker-port.js'

/** True in a child process started with an IPC channel. */
export function hasNodeProcessPort(): boolean {
  return typeof process.send === 'function'
}

/** Wraps `process.send` and the `message` and `disconnect` events. */
export function connectNodeProcessPort(): WorkerPort {
  return {
    kind: 'node-child',
    send: (message: FromCore) => {
      // The callback keeps a send into a closed channel from throwing: the
      // parent is gone and `disconnect` handles that.
      process.send?.(message, undefined, {}, () => {})
    },
    onMessage: (listener) => process.on('message', (message) => listener(message)),
    onDisconnect: (listener) => process.on('disconnect', listener),
  }
}
