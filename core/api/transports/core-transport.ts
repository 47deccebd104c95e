/**
 * The host's side of its link to a core worker.
 *
 * `createCoreClient` speaks through this interface, so a Node child process
 * (`child-process-transport.ts`) and an Electron utility process can both
 * carry the protocol.
 */
import type { ToCore } from '../contract.js'

/** How a worker process ended. */
export interface WorkerExit {
  /** Exit status, or null when a signal ended the process. */
  code: number | null
  /** The signal that ended it (e.g. `SIGKILL`), or null. */
  signal: string | null
}

/** A message link from a host to one worker process. */
export interface CoreTransport {
  /** The worker's process id, when known. */
  readonly pid: number | undefined
  send(message: ToCore): void
  onMessage(listener: (message: unknown) => void): void
  /** Called once when the worker process has ended, for whatever reason. */
  onExit(listener: (exit: WorkerExit) => void): void
  /** Asks the worker to stop: it aborts its requests, lets them settle, and exits. */
  close(): void
  /** Ends the worker at once (SIGKILL). */
  kill(): void
}
