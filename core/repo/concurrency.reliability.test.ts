/**
 * Concurrency: two writers at once (child processes of the real CLI), and a
 * reader beside a migration. One writer proceeds, the other fails with
 * `RepoLocked` naming the holder's pid, host and command; a reader always
 * sees every tensor bit-exact. The app's core (the request handlers the
 * Electron utility process and `coral-ml ui` serve) and the CLI share the
 * same lock. Needs the CLI built (`npm run build:core`).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { CLI_ENTRY, runCli, type RunOutcome } from '../../scripts/torture/cli-process.js'
import { checkBitExact } from '../../scripts/torture/checks.js'
import {
  buildRepository,
  copyTree,
  digestFile,
  messageOf,
  zooFiles,
  type FileDigest,
} from '../../scripts/torture/fixtures.js'
import { createCoreHandlers } from '../api/handlers.js'
import type { RequestContext } from '../api/handlers-type.js'
import { DEFAULT_THRESHOLD } from '../migrate/planner.js'
import { validateRepository } from '../migrate/validate.js'
import { acquireLock } from '../store/lock.js'
import { prepareRepository } from './prepare.js'
import { Repository } from './repository.js'

const files = zooFiles(5, 0, 'lm-bf16')
let work: string
let template: string
const expected = new Map<string, FileDigest>()

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'coral-'))
  template = path.join(work, 'template')
  await buildRepository(template, files.slice(0, 4))
  for (const file of files) expected.set(messageOf(file), await digestFile(file))
}, 120_000)

afterAll(() => rmSync(work, { recursive: true, force: true }))

function fresh(name: string): string {
  const dir = path.join(work, name)
  copyTree(template, dir)
  return dir
}

/** Resolves once `.coral/lock` names `pid`, or rejects when the child exits first. */
async function lockHeldBy(
  dir: string,
  pid: () => number | undefined,
  done: () => boolean,
): Promise<void> {
  const lock = path.join(dir, '.coral', 'lock')
  for (;;) {
    if (done()) throw new Error('the first writer exited before it took the lock')
    const text = existsSync(lock) ? readFileSync(lock, 'utf8') : ''
    if (text && pid() !== undefined && JSON.parse(text).pid === pid()) return
    await new Promise((r) => setTimeout(r, 5))
  }
}

/** Starts `first`, waits until it holds the lock, then runs `second` and returns both outcomes. */
async function whileHeld(
  dir: string,
  first: string[],
  second: string[],
): Promise<[RunOutcome, RunOutcome]> {
  let pid: number | undefined
  let finished = false
  const a = runCli(['-C', dir, ...first], { onSpawn: (p) => (pid = p) }).then((o) => {
    finished = true
    return o
  })
  await lockHeldBy(
    dir,
    () => pid,
    () => finished,
  )
  const b = await runCli(['-C', dir, '--json', ...second])
  return [await a, b]
}

function lockedBy(
  outcome: Pick<RunOutcome, 'code' | 'stdout'>,
  pid: number,
  command: string,
): void {
  expect(outcome.code).toBe(5)
  const error = JSON.parse(outcome.stdout).error
  expect(error.code).toBe('RepoLocked')
  expect(error.data.owner).toMatchObject({ pid, host: os.hostname(), command })
  expect(error.message).toContain(`pid ${pid} on ${os.hostname()} (${command}`)
}

async function expectIntact(dir: string, head: string): Promise<void> {
  const repo = await prepareRepository(await Repository.open(dir))
  const report = await validateRepository(repo, { fix: false })
  expect(report.ok, JSON.stringify(report.problems)).toBe(true)
  const seen = await checkBitExact(repo, expected)
  expect(seen.headMessage).toBe(head)
}

describe('one writer at a time', () => {
  it('refuses a second migration while one runs, naming the first', async () => {
    const dir = fresh('two-migrations')
    const [first, second] = await whileHeld(dir, ['cluster', 'migrate'], ['cluster', 'migrate'])

    expect(first.code).toBe(0)
    lockedBy(second, first.pid, 'cluster migrate')
    await expectIntact(dir, messageOf(files[3]!))
  })

  it('refuses add and commit while a migration runs', async () => {
    const dir = fresh('migrate-commit')
    const [first, add] = await whileHeld(dir, ['cluster', 'migrate'], ['add', files[4]!])
    expect(first.code).toBe(0)
    lockedBy(add, first.pid, 'cluster migrate')
    const [again, commit] = await whileHeld(
      dir,
      ['cluster', 'migrate', '--force'],
      ['commit', '-m', 'x'],
    )
    expect(again.code).toBe(0)
    lockedBy(commit, again.pid, 'cluster migrate')
    await expectIntact(dir, messageOf(files[3]!))
  })

  it('lets exactly the lock holder write when two commits race', async () => {
    const dir = fresh('two-commits')
    const holder = await acquireLock(path.join(dir, '.coral'), 'test holder')
    const [a, b] = await Promise.all([
      runCli(['-C', dir, '--json', 'add', files[4]!]),
      runCli(['-C', dir, '--json', 'commit', '-m', 'x']),
    ])
    await holder.release()
    lockedBy(a, process.pid, 'test holder')
    lockedBy(b, process.pid, 'test holder')

    // Unsynchronised race: each ends in success or RepoLocked, never anything else.
    const racers = await Promise.all([
      runCli(['-C', dir, '--json', 'add', files[4]!]),
      runCli(['-C', dir, '--json', 'add', files[4]!]),
    ])
    for (const r of racers) expect([0, 5]).toContain(r.code)
    expect(racers.some((r) => r.code === 0)).toBe(true)
    const commit = await runCli(['-C', dir, 'commit', '-m', messageOf(files[4]!)])
    expect(commit.code).toBe(0)
    await expectIntact(dir, messageOf(files[4]!))
  })

  it('takes over the lock of a killed writer', async () => {
    const dir = fresh('stale-lock')
    const killed = await runCli(['-C', dir, 'cluster', 'migrate'], { killAfterMs: 800 })
    expect(killed.killed).toBe(true)
    const rerun = await runCli(['-C', dir, 'cluster', 'migrate'])
    expect(rerun.code).toBe(0)
    await expectIntact(dir, messageOf(files[3]!))
  })
})

describe('readers beside a migration', () => {
  /** Reads every commit in a loop until `done()`; returns passes and problems. */
  async function readLoop(
    dir: string,
    done: () => boolean,
  ): Promise<{ passes: number; errors: string[] }> {
    const errors: string[] = []
    let passes = 0
    while (!done()) {
      try {
        const repo = await prepareRepository(await Repository.open(dir))
        const seen = await checkBitExact(repo, expected)
        expect(seen.tensors).toBeGreaterThan(0)
        passes++
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error))
      }
    }
    return { passes, errors }
  }

  it('sees every tensor bit-exact during a first migration', async () => {
    const dir = fresh('reader-migrate')
    let finished = false
    const writer = runCli(['-C', dir, 'cluster', 'migrate']).finally(() => (finished = true))
    const reader = await readLoop(dir, () => finished)

    expect((await writer).code).toBe(0)
    expect(reader.errors).toEqual([])
    expect(reader.passes).toBeGreaterThan(0)
  })

  it('sees every tensor bit-exact during a re-migration with --force', async () => {
    const dir = fresh('reader-force')
    expect((await runCli(['-C', dir, 'cluster', 'migrate'])).code).toBe(0)
    let finished = false
    const writer = runCli([
      '-C',
      dir,
      'cluster',
      'migrate',
      '--force',
      '--threshold',
      '0.5',
    ]).finally(() => (finished = true))
    const reader = await readLoop(dir, () => finished)

    expect((await writer).code).toBe(0)
    expect(reader.errors).toEqual([])
    expect(reader.passes).toBeGreaterThan(0)
  })
})

describe('the app and the CLI on one repository', () => {
  const ctx = (): RequestContext => ({
    signal: new AbortController().signal,
    progress: () => undefined,
  })
  const migrateParams = {
    strategy: 'adaptive' as const,
    threshold: DEFAULT_THRESHOLD,
    backup: false,
    dryRun: false,
    force: false,
  }

  it('refuses the app a migration while the CLI migrates, and lets the app read meanwhile', async () => {
    const dir = fresh('cli-then-app')
    const app = createCoreHandlers()
    await app.openRepository({ path: dir }, ctx())
    const before = new Map<string, string>()
    for (const entry of await app.log({}, ctx())) {
      for (const t of await app.listTensors({ ref: entry.id }, ctx()))
        before.set(`${entry.id}:${t.name}`, t.id)
    }
    let pid: number | undefined
    let finished = false
    const cli = runCli(['-C', dir, 'cluster', 'migrate'], { onSpawn: (p) => (pid = p) }).finally(
      () => (finished = true),
    )
    await lockHeldBy(
      dir,
      () => pid,
      () => finished,
    )

    const refused = await app.migrate(migrateParams, ctx()).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(refused).toMatchObject({
      code: 'RepoLocked',
      data: { owner: { pid, command: 'cluster migrate' } },
    })
    // Reads go on while the CLI writes: the same ids, and tensors that decode.
    let reads = 0
    while (!finished) {
      for (const entry of await app.log({}, ctx())) {
        const listed = await app.listTensors({ ref: entry.id }, ctx())
        for (const t of listed) expect(before.get(`${entry.id}:${t.name}`)).toBe(t.id)
        const detail = await app.tensorDetail({ name: listed[0]!.name, ref: entry.id }, ctx())
        expect(detail.byteLength).toBe(listed[0]!.byteLength)
        reads++
      }
      // Metadata reads are synchronous: yield so the child's exit event can arrive.
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect((await cli).code).toBe(0)
    expect(reads).toBeGreaterThan(0)
    await expectIntact(dir, messageOf(files[3]!))
  })

  it('refuses the CLI a commit while the app migrates, naming the app', async () => {
    const dir = fresh('app-then-cli')
    const app = createCoreHandlers()
    await app.openRepository({ path: dir }, ctx())
    let finished = false
    const migration = app.migrate(migrateParams, ctx()).finally(() => (finished = true))
    await lockHeldBy(
      dir,
      () => process.pid,
      () => finished,
    )

    // A synchronous spawn stops this process's event loop, and with it the
    // app's migration, until the CLI has run: the lock is surely still held
    // (an asynchronous spawn raced a fast migration to the lock).
    const child = spawnSync(process.execPath, [CLI_ENTRY, '-C', dir, '--json', 'add', files[4]!], {
      encoding: 'utf8',
    })
    lockedBy({ code: child.status, stdout: child.stdout }, process.pid, 'cluster migrate')
    const report = await migration
    expect(report.tensorsProcessed).toBeGreaterThan(0)
    await expectIntact(dir, messageOf(files[3]!))
  })
})
