/**
 * Runs `coral-ml` as a child process, optionally SIGKILLing it after a delay.
 *
 * The CLI entry is `bin/coral-ml.js` of this checkout (it loads `dist/`), so
 * the process killed is exactly the one a user would run.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The checkout root (this file is `dist/scripts/torture/cli-process.js` once built). */
export const PROJECT_ROOT = findRoot()

/** The CLI entry point. */
export const CLI_ENTRY = path.join(PROJECT_ROOT, 'bin', 'coral-ml.js')

/** How a child run ended. */
export interface RunOutcome {
  /** Exit status, or null when killed by a signal. */
  code: number | null
  signal: NodeJS.Signals | null
  /** True when our kill timer fired before the child exited. */
  killed: boolean
  /** Wall time from spawn to exit, in milliseconds. */
  elapsedMs: number
  stdout: string
  stderr: string
  pid: number
}

/** Options of `runCli`. */
export interface RunCliOptions {
  /** SIGKILL the child this many milliseconds after spawn. */
  killAfterMs?: number
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Called once the child is spawned (for readers running beside it). */
  onSpawn?: (pid: number) => void
}

/** Spawns `node bin/coral-ml.js <args>` and resolves when it exits. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [CLI_ENTRY, ...args], {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let killed = false
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer =
      options.killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) {
              killed = true
              child.kill('SIGKILL')
            }
          }, options.killAfterMs)
    child.on('spawn', () => options.onSpawn?.(child.pid!))
    child.on('error', (error) => {
      if (timer) clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer)
      resolve({
        code,
        signal,
        killed,
        elapsedMs: performance.now() - started,
        stdout,
        stderr,
        pid: child.pid ?? 0,
      })
    })
  })
}

function findRoot(): string {
  // dist/scripts/torture/cli-process.js or scripts/torture/cli-process.ts
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    if (path.basename(dir) === 'dist') return path.dirname(dir)
    const parent = path.dirname(dir)
    if (path.basename(dir) === 'scripts' && path.basename(parent) !== 'dist') return parent
    dir = parent
  }
  return process.cwd()
}
