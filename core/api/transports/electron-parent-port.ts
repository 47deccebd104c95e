/**
 * The worker's link to Electron main when it runs as a utility process.
 *
 * Typed locally so the core never imports `electron`.
 */
import type { FromCore } from '../contract.js'
import type { WorkerPort } from './worker-port.js'

/** The part of Electron's `process.parentPort` the worker uses. */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void
  postMessage(message: unknown): void
}

function parentPort(): ParentPort | undefined {
  return (process as unknown as { parentPort?: ParentPort }).parentPort
}

/** True inside an Electron utility process. */
export function hasElectronParentPort(): boolean {
  return parentPort() !== undefined
}

/** Wraps `process.parentPort`; Electron kills a utility process with its parent. */
export function connectElectronParentPort(): WorkerPort {
  const port = parentPort()
  if (port === undefined) {
    throw new Error('process.parentPort is missing: this is not an Electron utility process.')
  }
  return {
    kind: 'electron-utility',
    send: (message: FromCore) => port.postMessage(message),
    onMessage: (listener) => port.on('message', (event) => listener(event.data)),
    // NOTE: a utility process has no disconnect event; Electron ends it when main exits.
    onDisconnect: () => {},
  }
}
