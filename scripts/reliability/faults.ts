/**
 * Disk-full and read-only faults, injected for real: the repository lives on
 * a small tmpfs mounted for the run (needs root and mount permission), and a
 * filler file leaves exactly N bytes free before the command starts, with N
 * swept across what the command needs, so ENOSPC strikes at different points
 * of its writes. A read-only remount gives EROFS.
 *
 * Each case checks: the command fails with exit status 74 and one line naming
 * the cause ("No space left on the device" / "read-only"), or succeeds when
 * the space sufficed; right after, the repository opens and every reachable
 * commit reads back bit-exact (HEAD unchanged or moved to the new commit);
 * after the space is freed (or the file system is writable again), rerunning
 * the command succeeds, validate passes and every commit is bit-exact.
 *
 * I/O errors (EIO) come from a fault-injecting layer over node:fs loaded into
 * the `coral-ml` child (inject-eio.ts): an uninterrupted run counts the
 * write-class and read-class calls each command makes inside the repository,
 * then each case makes the Nth of them fail, N spread over the count. The
 * same checks apply, with "Input/output error" as the expected message. EIO
 * cases need no mount and run everywhere.
 *
 * CLI: node dist/scripts/reliability/faults.js [--points N] [--eio-points N] [--json]
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { PROJECT_ROOT, runCli, type RunOutcome } from '../torture/cli-process.js'
import { checkBitExact, describeProblems, openOrRecover, validate } from '../torture/checks.js'
import {
  buildRepository,
  copyTree,
  digestFile,
  messageOf,
  zooFiles,
  type FileDigest,
} from '../torture/fixtures.js'
import { isScriptEntry, runScript } from '../script-main.js'

/** Options of `runFaults`. */
export interface FaultOptions {
  /** Free-space points per operation. */
  points: number
  /** EIO points per operation and call class (write, read); default `points`. */
  eioPoints?: number
  /** Size of the tmpfs in bytes. */
  tmpfsBytes?: number
  /** Run only the tmpfs cases (ENOSPC, EROFS) or only the EIO cases. */
  only?: 'tmpfs' | 'eio'
}

/** One injected fault. */
export interface FaultCase {
  op: string
  fault: 'ENOSPC' | 'EROFS' | 'EIO'
  /** Bytes left free before the command (ENOSPC cases). */
  freeBytes: number
  /** The injected call, e.g. `write:17 of 89` (EIO cases). */
  call?: string
  /** Exit status of the faulted run. */
  exitCode: number | null
  /** The faulted run succeeded (there was enough space). */
  succeeded: boolean
  ok: boolean
  detail?: string
  /** The error line the command printed. */
  message?: string
}

/** The whole run. */
export interface FaultReport {
  /** Whether the tmpfs (ENOSPC, EROFS) cases could run. */
  mountable: boolean
  reason?: string
  cases: FaultCase[]
  failures: number
}

interface FaultOp {
  name: string
  steps: string[][]
  headsAfter: string[]
  finalHead: string
  /** Template to start from (default: the four-commit repository). */
  template?: string
}

/** The fault-injecting preload, compiled beside the CLI (dist/). */
const INJECT_EIO = path.join(PROJECT_ROOT, 'dist', 'scripts', 'reliability', 'inject-eio.js')

/** True when this process may mount a tmpfs (root in a permissive container). */
export function canMountTmpfs(): { ok: boolean; reason?: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coral-mnt-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' })
    execFileSync('umount', [dir], { stdio: 'pipe' })
    return { ok: true }
  } catch (error) {
    return {
      ok: false,
      reason: `mount -t tmpfs failed: ${String((error as Error).message).split('\n')[0]}`,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function mount(dir: string, bytes: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' })
}

function umount(dir: string): void {
  // A child that just exited may still be releasing its files: retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' })
      return
    } catch (error) {
      if (attempt >= 20) {
        process.stderr.write(
          `umount ${dir}: ${String((error as { stderr?: unknown }).stderr ?? error)}\n`,
        )
        throw error
      }
      execFileSync('sleep', ['0.1'])
    }
  }
}

function storeBytes(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir]).toString().split('\t')[0])
}

function freeBytes(dir: string): number {
  const s = statfsSync(dir)
  return s.bavail * s.bsize
}

/** Fills the file system of `dir` until `leave` bytes remain free. */
function fill(dir: string, leave: number): string {
  const filler = path.join(dir, 'filler.bin')
  const size = Math.max(0, freeBytes(dir) - leave)
  writeFileSync(filler, new Uint8Array(size))
  return filler
}

/** Runs the fault cases: ENOSPC and EROFS where a tmpfs can be mounted, EIO everywhere. */
export async function runFaults(options: FaultOptions): Promise<FaultReport> {
  const can = canMountTmpfs()
  const work = mkdtempSync(path.join(os.tmpdir(), 'coral-faults-'))
  const mnt = path.join(work, 'mnt')
  mkdirSync(mnt)
  const tmpfsBytes = options.tmpfsBytes ?? 48 * 1024 * 1024
  const cases: FaultCase[] = []
  try {
    const files = zooFiles(5, 0, 'lm-bf16')
    const expected = new Map<string, FileDigest>()
    for (const file of files) expected.set(messageOf(file), await digestFile(file))
    const template = path.join(work, 'template')
    await buildRepository(template, files.slice(0, 4))
    const staged = path.join(work, 'staged')
    copyTree(template, staged)
    const stage = await runCli(['-C', staged, 'add', files[4]!])
    if (stage.code !== 0) throw new Error(`setup: add exits ${stage.code}: ${stage.stderr.trim()}`)
    const [m3, m4] = [messageOf(files[3]!), messageOf(files[4]!)]
    const ops: FaultOp[] = [
      {
        name: 'add+commit',
        steps: [
          ['add', files[4]!],
          ['commit', '-m', m4],
        ],
        headsAfter: [m3, m4],
        finalHead: m4,
      },
      { name: 'migrate', steps: [['cluster', 'migrate']], headsAfter: [m3], finalHead: m3 },
    ]
    if (can.ok && options.only !== 'eio') {
      for (const op of ops) {
        const need = await spaceNeeded(mnt, tmpfsBytes, template, op)
        for (let k = 0; k < options.points; k++) {
          const leave = Math.round((need * 1.5 * (k + 0.5)) / options.points)
          cases.push(await faultCase(mnt, tmpfsBytes, template, op, 'ENOSPC', leave, expected))
        }
        cases.push(await faultCase(mnt, tmpfsBytes, template, op, 'EROFS', 0, expected))
      }
    }
    const eioOps: FaultOp[] = [
      { name: 'add', steps: [['add', files[4]!]], headsAfter: [m3], finalHead: m3 },
      {
        name: 'commit',
        steps: [['commit', '-m', m4]],
        headsAfter: [m3, m4],
        finalHead: m4,
        template: staged,
      },
      ops[1]!,
      { name: 'backup create', steps: [['backup', 'create']], headsAfter: [m3], finalHead: m3 },
      { name: 'gc', steps: [['gc']], headsAfter: [m3], finalHead: m3 },
    ]
    const eioPoints = options.only === 'tmpfs' ? 0 : (options.eioPoints ?? options.points)
    for (const op of eioPoints > 0 ? eioOps : []) {
      const start = op.template ?? template
      const counts = await countCalls(work, start, op)
      for (const kind of ['write', 'read'] as const) {
        const total = counts[kind]
        const points = Math.min(eioPoints, total)
        for (let k = 0; k < points; k++) {
          // Spread over 1..total; the first and the last call are always included.
          const n = points === 1 ? 1 : 1 + Math.round(((total - 1) * k) / (points - 1))
          cases.push(await eioCase(work, start, op, kind, n, total, expected))
        }
      }
    }
    return {
      mountable: can.ok,
      ...(can.ok ? {} : { reason: can.reason! }),
      cases,
      failures: cases.filter((c) => !c.ok).length,
    }
  } finally {
    if (readFileSync('/proc/mounts', 'utf8').includes(` ${mnt} `)) umount(mnt)
    rmSync(work, { recursive: true, force: true })
  }
}

/** Free space an uninterrupted run of `op` consumes (for a migration: half the store, its peak being unknown). */
async function spaceNeeded(
  mnt: string,
  tmpfsBytes: number,
  template: string,
  op: FaultOp,
): Promise<number> {
  mount(mnt, tmpfsBytes)
  try {
    const repo = path.join(mnt, 'repo')
    copyTree(template, repo)
    const before = freeBytes(mnt)
    for (const step of op.steps) await runCli(['-C', repo, ...step])
    // A migration ends smaller than it starts; its peak is what matters, so
    // sweep up to half the store instead of the (negative) net change.
    return op.name === 'migrate'
      ? Math.round(storeBytes(path.join(repo, '.coral')) / 2)
      : Math.max(64 * 1024, before - freeBytes(mnt))
  } finally {
    umount(mnt)
  }
}

function injectEnv(repo: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = process.env['NODE_OPTIONS'] ? `${process.env['NODE_OPTIONS']} ` : ''
  return { NODE_OPTIONS: `${inherited}--import=${INJECT_EIO}`, CORAL_FAULT_ROOT: repo, ...extra }
}

/** Counts the write-class and read-class calls of an uninterrupted run of a single-step `op`. */
async function countCalls(
  work: string,
  template: string,
  op: FaultOp,
): Promise<{ write: number; read: number }> {
  const repo = path.join(work, 'count')
  const countFile = path.join(work, 'counts.json')
  copyTree(template, repo)
  try {
    const run = await runCli(['-C', repo, ...op.steps[0]!], {
      env: injectEnv(repo, { CORAL_FAULT_COUNT: countFile }),
    })
    if (run.code !== 0) throw new Error(`setup: ${op.name} exits ${run.code}: ${run.stderr.trim()}`)
    return JSON.parse(readFileSync(countFile, 'utf8')) as { write: number; read: number }
  } finally {
    rmSync(repo, { recursive: true, force: true })
  }
}

async function eioCase(
  work: string,
  template: string,
  op: FaultOp,
  kind: 'write' | 'read',
  n: number,
  total: number,
  expected: Map<string, FileDigest>,
): Promise<FaultCase> {
  const result: FaultCase = {
    op: op.name,
    fault: 'EIO',
    freeBytes: 0,
    call: `${kind}:${n} of ${total}`,
    exitCode: null,
    succeeded: false,
    ok: false,
  }
  const repo = path.join(work, 'eio')
  copyTree(template, repo)
  try {
    const faulted = await runCli(['-C', repo, ...op.steps[0]!], {
      env: injectEnv(repo, { CORAL_FAULT_EIO: `${kind}:${n}` }),
    })
    await afterFault(repo, op, 'EIO', faulted, result, expected)
  } catch (error) {
    result.detail = error instanceof Error ? error.message : String(error)
  } finally {
    rmSync(repo, { recursive: true, force: true })
  }
  return result
}

async function runSteps(repo: string, steps: string[][]): Promise<RunOutcome | undefined> {
  let last: RunOutcome | undefined
  for (const step of steps) {
    last = await runCli(['-C', repo, ...step])
    if (last.code !== 0) return last
  }
  return last
}

async function faultCase(
  mnt: string,
  tmpfsBytes: number,
  template: string,
  op: FaultOp,
  fault: 'ENOSPC' | 'EROFS',
  leave: number,
  expected: Map<string, FileDigest>,
): Promise<FaultCase> {
  const result: FaultCase = {
    op: op.name,
    fault,
    freeBytes: leave,
    exitCode: null,
    succeeded: false,
    ok: false,
  }
  mount(mnt, tmpfsBytes)
  try {
    const repo = path.join(mnt, 'repo')
    copyTree(template, repo)
    const filler = fault === 'ENOSPC' ? fill(mnt, leave) : undefined
    if (fault === 'EROFS') execFileSync('mount', ['-o', 'remount,ro', mnt], { stdio: 'pipe' })
    const faulted = await runSteps(repo, op.steps)
    await afterFault(repo, op, fault, faulted, result, expected, () => {
      // Free the space (or make it writable) before the rerun.
      if (filler) rmSync(filler)
      if (fault === 'EROFS') execFileSync('mount', ['-o', 'remount,rw', mnt], { stdio: 'pipe' })
    })
  } catch (error) {
    result.detail = error instanceof Error ? error.message : String(error)
  } finally {
    umount(mnt)
  }
  return result
}

const CAUSE: Record<FaultCase['fault'], RegExp> = {
  ENOSPC: /No space left on the device/,
  EROFS: /read-only/,
  EIO: /Input\/output error/,
}

/**
 * The checks after a faulted run: a clear IoError (exit 74) or success; the
 * repository opens and reads back bit-exact; after `clear()` the rerun
 * completes (or finds the work already done), validate passes (or --fix
 * repairs), every commit is bit-exact and HEAD names the final commit.
 * Sets `result.ok`; throws with the reason otherwise.
 */
async function afterFault(
  repo: string,
  op: FaultOp,
  fault: FaultCase['fault'],
  faulted: RunOutcome | undefined,
  result: FaultCase,
  expected: Map<string, FileDigest>,
  clear: () => void = () => undefined,
): Promise<void> {
  result.exitCode = faulted?.code ?? null
  result.succeeded = faulted?.code === 0
  if (!result.succeeded) {
    result.message = faulted?.stderr.trim().split('\n')[0]
    if (faulted?.code !== 74 || !CAUSE[fault].test(faulted.stderr)) {
      throw new Error(`exit ${faulted?.code} without a clear ${fault} message: ${result.message}`)
    }
  }
  // Right after the fault: opens, bit-exact, HEAD unchanged or the new commit.
  const { repo: opened } = await openOrRecover(repo)
  const seen = await checkBitExact(opened, expected)
  opened.close()
  if (!op.headsAfter.includes(seen.headMessage ?? ''))
    throw new Error(`HEAD names ${seen.headMessage} after the fault`)
  clear()
  const rerun = await runSteps(repo, op.steps)
  const done =
    rerun?.code === 0 ||
    (rerun?.code === 10 && /already migrated/.test(rerun.stderr)) ||
    // The faulted commit was durable before the error: nothing is left to commit.
    (rerun?.code === 9 && seen.headMessage === op.finalHead)
  if (!done)
    throw new Error(`the rerun exits ${rerun?.code}: ${rerun?.stderr.trim().split('\n')[0]}`)
  const final = await openOrRecover(repo)
  let report = await validate(final.repo, false)
  if (!report.ok) {
    await validate(final.repo, true)
    report = await validate(final.repo, false)
    if (!report.ok)
      throw new Error(`validate --fix after the rerun left: ${describeProblems(report)}`)
  }
  const last = await checkBitExact(final.repo, expected)
  final.repo.close()
  if (last.headMessage !== op.finalHead)
    throw new Error(`HEAD names ${last.headMessage} after the rerun`)
  result.ok = true
}

/** The report as lines. */
export function formatFaultReport(report: FaultReport): string {
  const lines = report.mountable ? [] : [`ENOSPC and EROFS skipped: ${report.reason}`]
  for (const c of report.cases) {
    const where =
      c.fault === 'EIO' ? `at ${c.call}`.padEnd(19) : `free ${String(c.freeBytes).padStart(9)} B  `
    lines.push(
      `${c.ok ? 'ok  ' : 'FAIL'} ${c.op.padEnd(13)} ${c.fault.padEnd(6)} ${where} ` +
        `${c.succeeded ? 'succeeded' : `exit ${c.exitCode}: ${c.message ?? ''}`}${c.ok ? '' : ` -- ${c.detail}`}`,
    )
  }
  lines.push('', 'fault   operation      cases  clear error  succeeded  failures')
  const groups = new Map<string, FaultCase[]>()
  for (const c of report.cases)
    groups.set(`${c.fault}|${c.op}`, [...(groups.get(`${c.fault}|${c.op}`) ?? []), c])
  for (const [key, group] of groups) {
    const [fault, op] = key.split('|') as [string, string]
    const failed = group.filter((c) => !c.ok).length
    const succeeded = group.filter((c) => c.ok && c.succeeded).length
    lines.push(
      `${fault.padEnd(7)} ${op.padEnd(14)} ${String(group.length).padEnd(6)} ${String(group.length - failed - succeeded).padEnd(12)} ${String(succeeded).padEnd(10)} ${failed}`,
    )
  }
  lines.push(`${report.cases.length} faults injected, ${report.failures} failures`)
  return lines.join('\n')
}

async function cliMain(argv: string[]): Promise<number> {
  const flag = (name: string): number | undefined =>
    argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : undefined
  const points = flag('--points') ?? 8
  const report = await runFaults({ points, eioPoints: flag('--eio-points') ?? points })
  process.stdout.write(
    argv.includes('--json') ? `${JSON.stringify(report)}\n` : `${formatFaultReport(report)}\n`,
  )
  return report.failures > 0 ? 1 : 0
}

if (isScriptEntry(import.meta.url)) {
  runScript('faults', cliMain)
}
