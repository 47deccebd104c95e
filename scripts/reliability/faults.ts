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
 * CLI: node dist/scripts/reliability/faults.js [--points N] [--json]
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { runCli, type RunOutcome } from '../torture/cli-process.js'
import { checkBitExact, describeProblems, openOrRecover, release, validate } from '../torture/checks.js'
import { buildRepository, copyTree, digestFile, messageOf, zooFiles, type FileDigest } from '../torture/fixtures.js'

/** Options of `runFaults`. */
export interface FaultOptions {
  /** Free-space points per operation. */
  points: number
  /** Size of the tmpfs in bytes. */
  tmpfsBytes?: number
}

/** One injected fault. */
export interface FaultCase {
  op: string
  fault: 'ENOSPC' | 'EROFS'
  /** Bytes left free before the command (ENOSPC cases). */
  freeBytes: number
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
}

/** True when this process may mount a tmpfs (root in a permissive container). */
export function canMountTmpfs(): { ok: boolean; reason?: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coral-mnt-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'pipe' })
    execFileSync('umount', [dir], { stdio: 'pipe' })
    return { ok: true }
  } catch (error) {
    return { ok: false, reason: `mount -t tmpfs failed: ${String((error as Error).message).split('\n')[0]}` }
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
        process.stderr.write(`umount ${dir}: ${String((error as { stderr?: unknown }).stderr ?? error)}\n`)
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

/** Runs the fault cases. Throws when tmpfs cannot be mounted (check `canMountTmpfs` first). */
export async function runFaults(options: FaultOptions): Promise<FaultReport> {
  const can = canMountTmpfs()
  if (!can.ok) return { mountable: false, reason: can.reason!, cases: [], failures: 0 }
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
    const ops: FaultOp[] = [
      {
        name: 'add+commit',
        steps: [['add', files[4]!], ['commit', '-m', messageOf(files[4]!)]],
        headsAfter: [messageOf(files[3]!), messageOf(files[4]!)],
        finalHead: messageOf(files[4]!),
      },
      {
        name: 'migrate',
        steps: [['cluster', 'migrate']],
        headsAfter: [messageOf(files[3]!)],
        finalHead: messageOf(files[3]!),
      },
    ]
    for (const op of ops) {
      // What the command needs: free space consumed by an uninterrupted run (peak not measured; the sweep goes beyond).
      mount(mnt, tmpfsBytes)
      let need: number
      try {
        const repo = path.join(mnt, 'repo')
        copyTree(template, repo)
        const before = freeBytes(mnt)
        for (const step of op.steps) await runCli(['-C', repo, ...step])
        // A migration ends smaller than it starts; its peak is what matters, so
        // sweep up to half the store instead of the (negative) net change.
        need = op.name === 'migrate' ? Math.round(storeBytes(path.join(repo, '.coral')) / 2) : Math.max(64 * 1024, before - freeBytes(mnt))
      } finally {
        umount(mnt)
      }
      for (let k = 0; k < options.points; k++) {
        const leave = Math.round((need * 1.5 * (k + 0.5)) / options.points)
        cases.push(await faultCase(mnt, tmpfsBytes, template, op, 'ENOSPC', leave, expected))
      }
      cases.push(await faultCase(mnt, tmpfsBytes, template, op, 'EROFS', 0, expected))
    }
    return { mountable: true, cases, failures: cases.filter((c) => !c.ok).length }
  } finally {
    if (readFileSync('/proc/mounts', 'utf8').includes(` ${mnt} `)) umount(mnt)
    rmSync(work, { recursive: true, force: true })
  }
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
  const result: FaultCase = { op: op.name, fault, freeBytes: leave, exitCode: null, succeeded: false, ok: false }
  mount(mnt, tmpfsBytes)
  try {
    const repo = path.join(mnt, 'repo')
    copyTree(template, repo)
    const filler = fault === 'ENOSPC' ? fill(mnt, leave) : undefined
    if (fault === 'EROFS') execFileSync('mount', ['-o', 'remount,ro', mnt], { stdio: 'pipe' })
    const faulted = await runSteps(repo, op.steps)
    result.exitCode = faulted?.code ?? null
    result.succeeded = faulted?.code === 0
    if (!result.succeeded) {
      result.message = faulted?.stderr.trim().split('\n')[0]
      const cause = fault === 'ENOSPC' ? /No space left on the device/ : /read-only/
      if (faulted?.code !== 74 || !cause.test(faulted.stderr)) {
        throw new Error(`exit ${faulted?.code} without a clear ${fault} message: ${result.message}`)
      }
    }
    // Right after the fault: opens, bit-exact, HEAD unchanged or the new commit.
    const { repo: opened } = await openOrRecover(repo)
    const seen = await checkBitExact(opened, expected)
    release(opened)
    if (!op.headsAfter.includes(seen.headMessage ?? '')) throw new Error(`HEAD names ${seen.headMessage} after the fault`)
    // Free the space (or make it writable) and rerun.
    if (filler) rmSync(filler)
    if (fault === 'EROFS') execFileSync('mount', ['-o', 'remount,rw', mnt], { stdio: 'pipe' })
    const rerun = await runSteps(repo, op.steps)
    if (rerun?.code !== 0 && !(rerun?.code === 10 && /already migrated/.test(rerun.stderr))) {
      throw new Error(`the rerun exits ${rerun?.code}: ${rerun?.stderr.trim().split('\n')[0]}`)
    }
    const final = await openOrRecover(repo)
    let report = await validate(final.repo, false)
    if (!report.ok) {
      await validate(final.repo, true)
      report = await validate(final.repo, false)
      if (!report.ok) throw new Error(`validate --fix after the rerun left: ${describeProblems(report)}`)
    }
    const last = await checkBitExact(final.repo, expected)
    release(final.repo)
    if (last.headMessage !== op.finalHead) throw new Error(`HEAD names ${last.headMessage} after the rerun`)
    result.ok = true
  } catch (error) {
    result.detail = error instanceof Error ? error.message : String(error)
  } finally {
    umount(mnt)
  }
  return result
}

/** The report as lines. */
export function formatFaultReport(report: FaultReport): string {
  if (!report.mountable) return `skipped: ${report.reason}`
  const lines = report.cases.map(
    (c) =>
      `${c.ok ? 'ok  ' : 'FAIL'} ${c.op.padEnd(11)} ${c.fault.padEnd(6)} free ${String(c.freeBytes).padStart(9)} B  ` +
      `${c.succeeded ? 'succeeded' : `exit ${c.exitCode}: ${c.message ?? ''}`}${c.ok ? '' : ` -- ${c.detail}`}`,
  )
  lines.push(`${report.cases.length} faults injected, ${report.failures} failures`)
  return lines.join('\n')
}

async function cliMain(argv: string[]): Promise<number> {
  const points = argv.includes('--points') ? Number(argv[argv.indexOf('--points') + 1]) : 8
  const report = await runFaults({ points })
  process.stdout.write(argv.includes('--json') ? `${JSON.stringify(report)}\n` : `${formatFaultReport(report)}\n`)
  return report.failures > 0 ? 1 : 0
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cliMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`faults: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exit(2)
    },
  )
}
