/**
 * Playwright fixtures that run a real `coral-ml ui` server per test.
 *
 * Every test gets its own temporary folder (also the server's TMPDIR, so the
 * `--demo` repository lands inside it) and its own server process, stopped
 * and deleted after the test: tests never share a repository.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { test as base, expect, type Locator, type Page } from '@playwright/test'
import type { FromCore, Progress } from '../../core/api/contract.js'

/** The checkout root (this file is `e2e/support/ui-server.ts`). */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..')

/** The `coral-ml` entry point. */
export const CLI = path.join(PROJECT_ROOT, 'bin', 'coral-ml.js')

/** Where the README screenshots go. */
export const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'docs', 'screenshots')

/** The viewport every spec (and so every screenshot) uses, in CSS pixels. */
export const VIEWPORT = { width: 1280, height: 800 }

/** How long the server may take to print its address, in ms (it builds the demo first). */
const START_TIMEOUT_MS = 30_000

/** How long a stopped server may take to exit before it is killed, in ms. */
const STOP_TIMEOUT_MS = 5_000

/** A running `coral-ml ui` process. */
export interface CoralUi {
  /** The address with its token: `http://127.0.0.1:<port>/?token=<token>`. */
  url: string
  /** The repository the server opened, or null when it serves the Welcome screen only. */
  repository: string | null
  /** Stops the process (SIGINT, then SIGKILL after a grace period). */
  stop(): Promise<void>
}

/**
 * Starts `coral-ml ui <args> --port 0 --json` in `cwd` and waits for its address.
 *
 * `TMPDIR` points at `cwd`, so temporary folders the server makes (the demo
 * repository) are deleted with it. Rejects with the server's stderr when it
 * exits or stays silent for 30 s. `env` adds to the environment it inherits.
 */
export async function startCoralUi(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>> = {},
): Promise<CoralUi> {
  const child = spawn(process.execPath, [CLI, 'ui', ...args, '--port', '0', '--json'], {
    cwd,
    env: { ...process.env, ...env, TMPDIR: cwd },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => (stderr += chunk))
  const info = await new Promise<{ url: string; repository: string | null }>((resolve, reject) => {
    const timer = setTimeout(() => fail('printed no address within 30 s'), START_TIMEOUT_MS)
    function fail(why: string) {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`coral-ml ui ${args.join(' ')} ${why}.\nstderr:\n${stderr}`))
    }
    child.once('exit', (code) => fail(`exited with code ${code}`))
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk
      // --json prints one pretty-printed object; it parses once it is complete.
      let parsed: { url?: unknown; repository?: string | null }
      try {
        parsed = JSON.parse(stdout) as typeof parsed
      } catch {
        return // Not complete yet.
      }
      if (typeof parsed.url !== 'string') {
        fail(`printed no address but ${stdout.trim()}`)
        return
      }
      clearTimeout(timer)
      child.removeAllListeners('exit')
      resolve({ url: parsed.url, repository: parsed.repository ?? null })
    })
  })
  return { ...info, stop: () => stopProcess(child) }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGINT')
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
  await exited
  clearTimeout(timer)
}

/**
 * Runs `coral-ml <args>` to completion in `cwd`; rejects with its output on a nonzero exit.
 */
export async function runCli(args: readonly string[], cwd: string): Promise<string> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, TMPDIR: cwd },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  if (code !== 0) {
    throw new Error(`coral-ml ${args.join(' ')} exited with ${code}:\n${output}`)
  }
  return output
}

/**
 * Builds a repository at `<cwd>/<name>` from checkpoint files, one commit per file,
 * through the CLI (`init`, then `add` and `commit` per file, in the order given).
 */
export async function buildRepository(
  cwd: string,
  name: string,
  files: readonly string[],
): Promise<string> {
  const repo = path.join(cwd, name)
  await runCli(['init', repo], cwd)
  for (const file of files) {
    await runCli(['-C', repo, 'add', file], cwd)
    await runCli(['-C', repo, 'commit', '-m', `Checkpoint ${path.basename(file)}`], cwd)
  }
  return repo
}

/**
 * Whether this run refreshes the README screenshots.
 *
 * Off by default, so an ordinary test run leaves the tracked PNGs alone;
 * `npm run screenshots` sets `CORAL_SCREENSHOTS=1`.
 */
export const WRITE_SCREENSHOTS = process.env['CORAL_SCREENSHOTS'] === '1'

/**
 * Saves a README screenshot of the viewport as `docs/screenshots/<name>.png`.
 *
 * Does nothing unless `CORAL_SCREENSHOTS=1` (see `WRITE_SCREENSHOTS`).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!WRITE_SCREENSHOTS) {
    return
  }
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) })
}

/** Goes to a screen through the left-hand navigation and waits for its heading. */
export async function goTo(page: Page, label: string, heading = label): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: label }).click()
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible()
}

/** The value (`dd`) of the figure labelled exactly `label` in the figure list named `list`. */
export function figure(page: Page, list: string, label: string): Locator {
  const exact = new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)
  return page
    .locator(`dl[aria-label="${list}"] > .figure`)
    .filter({ has: page.locator('dt', { hasText: exact }) })
    .locator('dd')
}

/**
 * Environment for a `coral-ml ui` server (and its core worker) whose fsyncs
 * complete `delayMs` late, as on a slow disk (see `slow-fsync.mjs`).
 */
export function slowFsyncEnv(delayMs: number): Record<string, string> {
  const preload = path.join(PROJECT_ROOT, 'e2e', 'support', 'slow-fsync.mjs')
  return {
    // Quoted: NODE_OPTIONS splits on spaces, and a checkout's path may hold one.
    NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import ${JSON.stringify(preload)}`.trim(),
    CORAL_E2E_FSYNC_DELAY_MS: String(delayMs),
  }
}

interface Fixtures {
  /** Arguments given to `coral-ml ui` before `--port 0 --json`; `['--demo']` by default. */
  uiArgs: string[]
  /** Environment added to the server's (for example `slowFsyncEnv`); none by default. */
  uiEnv: Record<string, string>
  /** A fresh temporary folder for this test, deleted afterwards. */
  workDir: string
  /** The running server of this test. */
  coral: CoralUi
  /** The page, opened at the server's address. */
  app: Page
  /**
   * Every progress event the core sent the page, in order, whether or not a
   * frame painted it (a short phase can start and end between two frames).
   */
  coreProgress: Progress[]
}

/** `test` with a per-test `coral-ml ui` server (`coral`) and a page open on it (`app`). */
export const test = base.extend<Fixtures>({
  viewport: VIEWPORT,
  uiArgs: [['--demo'], { option: true }],
  uiEnv: [{}, { option: true }],
  workDir: async ({}, use) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coral-e2e-'))
    try {
      await use(dir)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  },
  coral: async ({ uiArgs, uiEnv, workDir }, use) => {
    const server = await startCoralUi(uiArgs, workDir, uiEnv)
    try {
      await use(server)
    } finally {
      await server.stop()
    }
  },
  coreProgress: async ({ page }, use) => {
    const events: Progress[] = []
    page.on('websocket', (socket) => {
      socket.on('framereceived', ({ payload }) => {
        const message = JSON.parse(String(payload)) as FromCore
        if (message.kind === 'progress') events.push(message.progress)
      })
    })
    await use(events)
  },
  app: async ({ page, coral, coreProgress }, use) => {
    // Listening starts before the page opens its socket.
    void coreProgress
    await page.goto(coral.url)
    await use(page)
  },
})

export { expect }
