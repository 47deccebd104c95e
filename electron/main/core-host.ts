/**
 * Runs the core in an Electron utility process and connects each window to it directly.
 *
 * For every window that asks, main creates a `MessageChannelMain`, sends `port1` to the utility
 * process (`{ type: 'coral:connect' }`) and `port2` to the window (`coral:core-port`). After that
 * the renderer and the core talk over the port and main is not on the data path.
 *
 * When the core exits without being asked to, every connected window is told
 * (`coral:core-restarted`, so the renderer fails its pending requests and shows a banner), the
 * core is forked again and every window gets a fresh port. Restarts are bounded: more than
 * `maxRestarts` crashes within `restartWindowMs` and the host gives up until a window asks for a
 * port again (a "Reconnect" action). At quit, `stop()` asks the core to shut down, waits up to
 * `shutdownTimeoutMs`, then kills it.
 */
import type { MessageChannelMain, MessagePortMain, UtilityProcess, utilityProcess } from 'electron'

import {
  CORE_PORT_CHANNEL,
  CORE_RESTARTED_CHANNEL,
  type CoreDownNotice,
  type ToUtility,
} from '../shared/channels.js'
import type { Logger } from './log.js'

/** The service name shown in `app.getAppMetrics()` and `child-process-gone`. */
export const CORE_SERVICE_NAME = 'coral-core'

/** A window's web contents, reduced to what the host uses. */
export interface PortTarget {
  readonly id: number
  isDestroyed(): boolean
  send(channel: string, ...args: unknown[]): void
  postMessage(channel: string, message: unknown, transfer?: MessagePortMain[]): void
}

/** What `createCoreHost` needs. */
export interface CoreHostOptions {
  utilityProcess: Pick<typeof utilityProcess, 'fork'>
  MessageChannelMain: new () => MessageChannelMain
  /** Absolute path of the built utility entry (`out/main/core-utility.js`). */
  workerPath: string
  /** Crashes tolerated within `restartWindowMs` before giving up; default 3. */
  maxRestarts?: number
  /** Milliseconds over which crashes are counted; default 60,000. */
  restartWindowMs?: number
  /** Milliseconds between a crash and the new fork; default 500. */
  restartDelayMs?: number
  /** Milliseconds `stop()` waits for a clean exit before killing; default 5,000. */
  shutdownTimeoutMs?: number
  /** Clock in milliseconds; injectable for tests. */
  now?: () => number
  log: Logger
}

/** How `stop()` ended. */
export type StopOutcome = 'not-running' | 'exited' | 'killed'

/** The running core, seen from main. */
export interface CoreHost {
  /** Forks the utility process; call once, after `app` is ready. */
  start(): void
  /** Sends `target` a fresh port to the core (and keeps it for restarts). */
  connect(target: PortTarget): void
  /** Forgets a window (its web contents were destroyed). */
  disconnect(targetId: number): void
  /** Asks the core to exit, waits a bounded time, then kills it. */
  stop(): Promise<StopOutcome>
  /** The utility process id, or undefined when none runs. */
  readonly pid: number | undefined
}

type HostState = 'idle' | 'running' | 'restarting' | 'failed' | 'stopping' | 'stopped'

/** Creates the host; nothing runs until `start()`. */
export function createCoreHost(options: CoreHostOptions): CoreHost {
  const maxRestarts = options.maxRestarts ?? 3
  const restartWindowMs = options.restartWindowMs ?? 60_000
  const restartDelayMs = options.restartDelayMs ?? 500
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 5_000
  const now = options.now ?? Date.now
  const log = options.log

  let state: HostState = 'idle'
  let child: UtilityProcess | null = null
  let restartTimer: ReturnType<typeof setTimeout> | undefined
  let crashTimes: number[] = []
  let nextConnectionId = 1
  let exitWaiters: Array<() => void> = []
  const targets = new Map<number, PortTarget>()

  function fork(): void {
    const proc = options.utilityProcess.fork(options.workerPath, [], {
      serviceName: CORE_SERVICE_NAME,
      stdio: 'pipe',
    })
    child = proc
    state = 'running'
    forwardOutput(proc.stdout, log.info)
    forwardOutput(proc.stderr, log.warn)
    proc.on('spawn', () => log.info(`core started (pid ${proc.pid ?? '?'})`))
    proc.on('error', (type, location) => log.error(`core fatal error ${type} at ${location}`))
    proc.once('exit', (code) => onExit(proc, code))
  }

  function deliverPort(target: PortTarget): void {
    if (target.isDestroyed()) {
      targets.delete(target.id)
      return
    }
    if (child === null) {
      return
    }
    const { port1, port2 } = new options.MessageChannelMain()
    const message: ToUtility = { type: 'coral:connect', connectionId: nextConnectionId++ }
    child.postMessage(message, [port1])
    target.postMessage(CORE_PORT_CHANNEL, null, [port2])
  }

  function notifyAll(notice: CoreDownNotice): void {
    for (const target of [...targets.values()]) {
      if (target.isDestroyed()) {
        targets.delete(target.id)
      } else {
        target.send(CORE_RESTARTED_CHANNEL, notice)
      }
    }
  }

  function onExit(proc: UtilityProcess, code: number): void {
    // A stale process (already replaced) has nothing more to say
    if (proc !== child) {
      return
    }
    child = null
    const waiters = exitWaiters
    exitWaiters = []
    waiters.forEach((wake) => wake())
    if (state === 'stopping' || state === 'stopped') {
      return
    }

    // Count the crash within the window
    const reason = `The core process exited unexpectedly (code ${code}).`
    const at = now()
    crashTimes = crashTimes.filter((t) => at - t < restartWindowMs)
    crashTimes.push(at)
    if (crashTimes.length > maxRestarts) {
      state = 'failed'
      log.error(`${reason} Gave up after ${crashTimes.length} crashes.`)
      notifyAll({
        reason: `${reason} It crashed ${crashTimes.length} times in a row, so it was not restarted; reconnect to try again.`,
        restarting: false,
      })
      return
    }

    // Tell the windows, then restart and hand out fresh ports
    state = 'restarting'
    log.warn(`${reason} Restarting (${crashTimes.length} of ${maxRestarts}).`)
    notifyAll({ reason: `${reason} It is being restarted.`, restarting: true })
    restartTimer = setTimeout(() => {
      restartTimer = undefined
      if (state !== 'restarting') {
        return
      }
      fork()
      for (const target of [...targets.values()]) {
        deliverPort(target)
      }
    }, restartDelayMs)
  }

  return {
    start() {
      if (state !== 'idle') {
        return
      }
      fork()
      for (const target of [...targets.values()]) {
        deliverPort(target)
      }
    },

    connect(target) {
      targets.set(target.id, target)
      switch (state) {
        case 'running':
          deliverPort(target)
          return
        case 'failed':
          // A window asked to reconnect after the host gave up: try again from a clean slate.
          crashTimes = []
          fork()
          for (const each of [...targets.values()]) {
            deliverPort(each)
          }
          return
        case 'idle':
        case 'restarting':
          // A port follows from start() or from the pending restart.
          return
        case 'stopping':
        case 'stopped':
          targets.delete(target.id)
          return
      }
    },

    disconnect(targetId) {
      targets.delete(targetId)
    },

    async stop() {
      if (restartTimer !== undefined) {
        clearTimeout(restartTimer)
        restartTimer = undefined
      }
      const proc = child
      state = 'stopping'
      if (proc === null) {
        state = 'stopped'
        return 'not-running'
      }

      // Ask politely, then wait a bounded time
      const exited = new Promise<'exited'>((resolve) => exitWaiters.push(() => resolve('exited')))
      let timer: ReturnType<typeof setTimeout> | undefined
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), shutdownTimeoutMs)
      })
      try {
        const message: ToUtility = { type: 'coral:shutdown' }
        proc.postMessage(message)
      } catch (error) {
        log.warn('could not ask the core to shut down', error)
      }
      const outcome = await Promise.race([exited, timedOut])
      clearTimeout(timer)
      state = 'stopped'
      if (outcome === 'exited') {
        return 'exited'
      }

      // Kill
      log.warn(`the core did not exit within ${shutdownTimeoutMs} ms; killing it`)
      proc.kill()
      child = null
      return 'killed'
    },

    get pid() {
      return child?.pid
    },
  }
}

function forwardOutput(
  stream: NodeJS.ReadableStream | null | undefined,
  write: (line: string) => void,
): void {
  stream?.on('data', (chunk: Buffer | string) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() !== '') {
        write(`[core] ${line}`)
      }
    }
  })
}
