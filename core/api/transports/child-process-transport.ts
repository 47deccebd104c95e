/**
 * Runs a core worker as a Node child process.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { CoreTransport, WorkerExit } from './core-transport.js'

/** How to start the child. */
export interface ForkWorkerOptions {
  /** Node flags of the child; defaults to this process's `execArgv`. */
  execArgv?: string[]
  /** Environment of the child; defaults to this process's. */
  env?: NodeJS.ProcessEnv
}

/**
 * Forks `entry` with an IPC channel and wraps it as a `CoreTransport`.
 *
 * The channel uses structured-clone serialization, as Electron's utility
 * process does, so both hosts accept and reject the same payloads. The
 * child's stdout and stderr go to this process's.
 */
export function forkWorker(entry: string | URL, options: ForkWorkerOptions = {}): CoreTransport {
  const modulePath = entry instanceof URL ? fileURLToPath(entry) : entry
  const child = fork(modulePath, [], {
    execArgv: options.execArgv ?? process.execArgv,
    env: options.env ?? process.env,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exitListeners: Array<(exit: WorkerExit) => void> = []
  let exited = false

  function emitExit(exit: WorkerExit): void {
    if (exited) {
      return
    }
    exited = true
    for (const listener of exitListeners) {
      listener(exit)
    }
  }

  child.on('exit', (code, signal) => emitExit({ code, signal }))
  // `error` without `exit` means the process could not be spawned at all.
  child.on('error', () => {
    if (child.exitCode === null && child.signalCode === null && child.pid === undefined) {
      emitExit({ code: null, signal: null })
    }
  })

  return {
    get pid() {
      return child.pid
    },
    send(message) {
      if (child.connected) {
        // The callback keeps a send racing the child's death from throwing;
        // `exit` reports that death.
        child.send(message, undefined, {}, () => {})
      }
    },
    onMessage(listener) {
      child.on('message', (message) => listener(message))
    },
    onExit(listener) {
      exitListeners.push(listener)
    },
    close() {
      if (child.connected) {
        child.disconnect()
      }
    },
    kill() {
      if (!exited) {
        child.kill('SIGKILL')
      }
    },
  }
}
