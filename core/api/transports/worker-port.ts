/**
 * The worker's side of its link to the host process.
 *
 * A worker runs either as an Electron utility process (it has
 * `process.parentPort`) or as a Node child process started with an IPC
 * channel (it has `process.send`). Both are wrapped in this one interface.
 */
import type { FromCore } from '../contract.js'
import { connectElectronParentPort, hasElectronParentPort } from './electron-parent-port.js'
import { connectNodeProcessPort, hasNodeProcessPort } from './node-process-port.js'

/** A message link from the worker to its host. */
export interface WorkerPort {
  /** Which host this is, for log lines. */
  readonly kind: 'electron-utility' | 'node-child'
  send(message: FromCore): void
  onMessage(listener: (message: unknown) => void): void
  /** Called when the host is gone or asked the worker to stop. */
  onDisconnect(listener: () => void): void
}

/** Detects the host and connects to it; throws when the process has no host link. */
export function connectToHost(): WorkerPort {
  if (hasElectronParentPort()) {
    return connectElectronParentPort()
  }
  if (hasNodeProcessPort()) {
    return connectNodeProcessPort()
  }
  throw new Error(
    'The Coral core worker needs a host: start it with child_process.fork or utilityProcess.fork.',
  )
}
