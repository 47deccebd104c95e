/**
 * Kill-anywhere torture harness: proves that no interrupted command loses or
 * alters a weight.
 *
 * For each operation (migrate, commit, import-coral, backup create, backup
 * restore, optimize, gc) it builds a template repository from the shared zoo
 * once, measures an uninterrupted run, then runs trials on fresh copies:
 * `coral-ml` is spawned and SIGKILLed after a delay drawn (stratified, seeded)
 * across [0, measured duration]. After each kill the repository must open,
 * read back every reachable commit bit-exact against its source safetensors
 * file, and validate (or be repaired by `validate --fix`); rerunning the
 * command must complete it. Even trials repair first and then rerun; odd
 * trials rerun first (testing resumption) and validate after.
 *
 * CLI: node dist/scripts/torture.js [--kills-per-op N] [--migrate-kills N]
 *      [--seed S] [--ops migrate,commit,...] [--small] [--json] [--keep] [--work DIR]
 * Exit status 1 when any trial failed. A failure is printed with the seed,
 * trial and kill delay; `--ops <op> --seed S --trial T` re-runs that trial
 * (the kill lands at the same delay, the process timing may still differ).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { runCli, type RunOutcome } from './torture/cli-process.js'
import { checkBitExact, describeProblems, openOrRecover, validate } from './torture/checks.js'
import {
  PY_FIXTURES,
  copyTree,
  digestFile,
  hashTree,
  messageOf,
  zooFiles,
  type FileDigest,
} from './torture/fixtures.js'
import {
  checkImportState,
  leftoverImportFolders,
  snapshotRefs,
  type RefSnapshot,
} from './torture/import-trial.js'
import {
  OPERATION_NAMES,
  buildTemplate,
  operations,
  templatePath,
  type Operation,
  type OperationName,
  type SourceFiles,
  type TemplateName,
} from './torture/operations.js'
import { mulberry32 } from './fuzz-formats.js'
import { isScriptEntry, runScript } from './script-main.js'

/** Options of `runTorture`. */
export interface TortureOptions {
  /** Kill points per operation. */
  killsPerOp: number
  /** Kill points for migrate (defaults to `killsPerOp`). */
  migrateKills?: number
  seed: number
  ops?: readonly OperationName[]
  /** Run only this trial number of each operation (to reproduce a failure). */
  trial?: number
  /** Work folder (default: a new temporary folder, removed afterwards unless `keep`). */
  work?: string
  keep?: boolean
  /**
   * Build the repositories from 4+1 bfloat16 checkpoints (half the bytes, no
   * fine-tune) instead of 4 F32 checkpoints + 1 fine-tune + 1 more checkpoint:
   * the short version the test suite runs.
   */
  small?: boolean
  /** Called after each trial (progress on stderr in the CLI). */
  onTrial?: (trial: TrialResult) => void
}

/** One trial's result. */
export interface TrialResult {
  op: OperationName
  trial: number
  seed: number
  /** Milliseconds after spawn the SIGKILL was scheduled. */
  killDelayMs: number
  /** False when the command finished before the kill fired. */
  killed: boolean
  ok: boolean
  /** Where it failed: open, bit-exact, validate, fix, rerun, final. */
  stage?: string
  detail?: string
  /** `cluster validate` without --fix found a serious problem that --fix then repaired. */
  repairedByFix: boolean
  /** The repository only opened after the documented restore recovery. */
  neededRecovery: boolean
  /** Temporary or leftover files found after the kill (reported, not failures). */
  leftovers: number
}

/** Per-operation counts. */
export interface OperationReport {
  op: OperationName
  /** Duration of an uninterrupted run, in milliseconds. */
  durationMs: number
  trials: number
  /** Trials where the kill landed while the command ran. */
  killPoints: number
  /** Kill points after which every check passed. */
  survived: number
  /** Trials where the command finished before the kill. */
  completedBeforeKill: number
  repairedByFix: number
  neededRecovery: number
  leftovers: number
  failures: TrialResult[]
}

/** The whole run. */
export interface TortureReport {
  seed: number
  elapsedMs: number
  operations: OperationReport[]
  failures: number
}

/** Runs the harness. */
export async function runTorture(options: TortureOptions): Promise<TortureReport> {
  const started = performance.now()
  const work = options.work ?? mkdtempSync(path.join(os.tmpdir(), 'coral-torture-'))
  mkdirSync(work, { recursive: true })
  const ops = options.ops ?? OPERATION_NAMES
  try {
    const lm = zooFiles(5, 0, options.small ? 'lm-bf16' : 'lm')
    const files: SourceFiles = options.small
      ? { main: lm.slice(0, 4), extra: lm[4]! }
      : { main: [...lm.slice(0, 4), ...zooFiles(0, 1)], extra: lm[4]! }
    const expected = new Map<string, FileDigest>()
    for (const file of [...files.main, files.extra])
      expected.set(messageOf(file), await digestFile(file))
    const defs = operations(files)
    const built = new Set<TemplateName>()
    const reports: OperationReport[] = []
    for (const [opIndex, op] of ops.entries()) {
      const kills =
        op === 'migrate' ? (options.migrateKills ?? options.killsPerOp) : options.killsPerOp
      const random = mulberry32((options.seed * 0x9e3779b1 + opIndex * 7919) >>> 0)
      const report =
        op === 'import-coral'
          ? await tortureImport(work, kills, options, random)
          : await tortureOperation(work, defs[op], kills, options, random, expected, files, built)
      reports.push(report)
    }
    return {
      seed: options.seed,
      elapsedMs: Math.round(performance.now() - started),
      operations: reports,
      failures: reports.reduce((n, r) => n + r.failures.length, 0),
    }
  } finally {
    if (!options.keep && options.work === undefined) rmSync(work, { recursive: true, force: true })
  }
}

/** The kill delay of trial `i` of `n`: stratified over [0, duration]. */
function delays(n: number, durationMs: number, random: () => number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round((durationMs * (i + random())) / n))
}

/** Runs CLI steps in `dir`; with a kill delay, the SIGKILL lands wherever the run is by then. */
async function runSteps(
  dir: string,
  steps: string[][],
  killAfterMs?: number,
): Promise<{ killed: boolean; last?: RunOutcome }> {
  const started = performance.now()
  let last: RunOutcome | undefined
  for (const step of steps) {
    const remaining =
      killAfterMs === undefined ? undefined : killAfterMs - (performance.now() - started)
    if (remaining !== undefined && remaining <= 0) return { killed: true, last }
    last = await runCli(
      ['-C', dir, ...step],
      remaining === undefined ? {} : { killAfterMs: remaining },
    )
    if (last.killed) return { killed: true, last }
    if (last.code !== 0) return { killed: false, last }
  }
  return { killed: false, last }
}

function emptyReport(op: OperationName, durationMs: number): OperationReport {
  return {
    op,
    durationMs: Math.round(durationMs),
    trials: 0,
    killPoints: 0,
    survived: 0,
    completedBeforeKill: 0,
    repairedByFix: 0,
    neededRecovery: 0,
    leftovers: 0,
    failures: [],
  }
}

function tally(report: OperationReport, result: TrialResult, options: TortureOptions): void {
  report.trials++
  if (result.killed) report.killPoints++
  else report.completedBeforeKill++
  if (result.ok && result.killed) report.survived++
  if (!result.ok) report.failures.push(result)
  if (result.repairedByFix) report.repairedByFix++
  if (result.neededRecovery) report.neededRecovery++
  report.leftovers += result.leftovers
  options.onTrial?.(result)
}

async function tortureOperation(
  work: string,
  op: Operation,
  kills: number,
  options: TortureOptions,
  random: () => number,
  expected: Map<string, FileDigest>,
  files: SourceFiles,
  built: Set<TemplateName>,
): Promise<OperationReport> {
  const template = templatePath(work, op.template)
  if (!built.has(op.template)) {
    await buildTemplate(op.template, template, files)
    built.add(op.template)
  }
  // Measure two uninterrupted runs on copies; the faster one bounds the kill delays
  // (the first run on a loaded machine is often the slowest).
  let durationMs = Number.POSITIVE_INFINITY
  let uninterrupted: { killed: boolean; last?: RunOutcome } = { killed: false }
  for (let i = 0; i < 2; i++) {
    const probe = path.join(work, `probe-${op.name}`)
    copyTree(template, probe)
    const t0 = performance.now()
    uninterrupted = await runSteps(probe, op.steps(probe))
    durationMs = Math.min(durationMs, performance.now() - t0)
    rmSync(probe, { recursive: true, force: true })
  }
  const report = emptyReport(op.name, durationMs)
  const uninterruptedOk = accepted(op, uninterrupted.last)
  const plan = delays(kills, durationMs, random)
  for (const [trial, killDelayMs] of plan.entries()) {
    if (options.trial !== undefined && options.trial !== trial) continue
    const dir = path.join(work, `${op.name}-${trial}`)
    copyTree(template, dir)
    const result: TrialResult = {
      op: op.name,
      trial,
      seed: options.seed,
      killDelayMs,
      killed: false,
      ok: false,
      repairedByFix: false,
      neededRecovery: false,
      leftovers: 0,
    }
    try {
      if (!uninterruptedOk) {
        result.stage = 'uninterrupted'
        throw new Error(
          `an uninterrupted run exits ${uninterrupted.last!.code}: ${firstLine(uninterrupted.last!.stderr)}`,
        )
      }
      result.killed = (await runSteps(dir, op.steps(dir), killDelayMs)).killed
      await trialChecks(dir, op, trial, expected, result)
      result.ok = true
    } catch (error) {
      result.detail = error instanceof Error ? error.message : String(error)
    }
    tally(report, result, options)
    if (!options.keep) rmSync(dir, { recursive: true, force: true })
  }
  return report
}

async function trialChecks(
  dir: string,
  op: Operation,
  trial: number,
  expected: Map<string, FileDigest>,
  result: TrialResult,
): Promise<void> {
  result.stage = 'open'
  const { repo, recovered } = await openOrRecover(dir)
  result.neededRecovery = recovered
  result.stage = 'bit-exact'
  const seen = await checkBitExact(repo, expected)
  if (!op.headsAfterKill.includes(seen.headMessage ?? '')) {
    throw new Error(
      `HEAD names "${seen.headMessage}" after the kill; expected one of ${op.headsAfterKill.join(', ')}`,
    )
  }
  const repairFirst = trial % 2 === 0
  if (repairFirst) {
    result.stage = 'validate'
    const before = await validate(repo, false)
    result.leftovers = before.problems.filter((p) => p.kind === 'temp-file').length
    if (!before.ok) {
      result.stage = 'fix'
      await validate(repo, true)
      const after = await validate(repo, false)
      if (!after.ok) throw new Error(`validate --fix left: ${describeProblems(after)}`)
      result.repairedByFix = true
    }
  }
  result.stage = 'rerun'
  const rerun = await runSteps(dir, op.steps(dir))
  if (!accepted(op, rerun.last)) {
    throw new Error(`the rerun exits ${rerun.last!.code}: ${firstLine(rerun.last!.stderr)}`)
  }
  result.stage = 'final'
  const final = await openOrRecover(dir)
  const finalReport = await validate(final.repo, false)
  if (!finalReport.ok) {
    if (repairFirst) throw new Error(`validate after the rerun: ${describeProblems(finalReport)}`)
    // Rerun-first trials: the rerun may legitimately leave repairs to --fix.
    await validate(final.repo, true)
    const after = await validate(final.repo, false)
    if (!after.ok)
      throw new Error(`validate --fix after the rerun left: ${describeProblems(after)}`)
    result.repairedByFix = true
  }
  const last = await checkBitExact(final.repo, expected)
  if (last.headMessage !== op.finalHead) {
    throw new Error(`HEAD names "${last.headMessage}" after the rerun; expected ${op.finalHead}`)
  }
  const extra = await op.finalCheck?.(final.repo)
  final.repo.close()
  repo.close()
  if (extra) throw new Error(extra)
  result.stage = undefined
}

async function tortureImport(
  work: string,
  kills: number,
  options: TortureOptions,
  random: () => number,
): Promise<OperationReport> {
  const fixture = path.join(PY_FIXTURES, 'v1.1')
  const pythonHash = hashTree(path.join(fixture, '.coral'))
  let durationMs = Number.POSITIVE_INFINITY
  let reference: RefSnapshot | undefined
  for (let i = 0; i < 2; i++) {
    const probe = path.join(work, 'probe-import')
    copyTree(fixture, probe)
    const t0 = performance.now()
    const first = await runCli(['import-coral', probe])
    durationMs = Math.min(durationMs, performance.now() - t0)
    if (first.code !== 0)
      throw new Error(`import-coral of the fixture exits ${first.code}: ${firstLine(first.stderr)}`)
    reference = await snapshotRefs(probe)
    rmSync(probe, { recursive: true, force: true })
  }
  const report = emptyReport('import-coral', durationMs)
  for (const [trial, killDelayMs] of delays(kills, durationMs, random).entries()) {
    if (options.trial !== undefined && options.trial !== trial) continue
    const dir = path.join(work, `import-${trial}`)
    copyTree(fixture, dir)
    const result: TrialResult = {
      op: 'import-coral',
      trial,
      seed: options.seed,
      killDelayMs,
      killed: false,
      ok: false,
      repairedByFix: false,
      neededRecovery: false,
      leftovers: 0,
    }
    try {
      result.killed = (await runCli(['import-coral', dir], { killAfterMs: killDelayMs })).killed
      result.stage = 'after-kill'
      const state = await checkImportState(dir, pythonHash, reference!, false)
      result.leftovers = leftoverImportFolders(dir)
      if (state === 'python') {
        result.stage = 'rerun'
        const rerun = await runCli(['import-coral', dir])
        if (rerun.code !== 0)
          throw new Error(`the rerun exits ${rerun.code}: ${firstLine(rerun.stderr)}`)
      }
      result.stage = 'final'
      await checkImportState(dir, pythonHash, reference!, true)
      result.stage = undefined
      result.ok = true
    } catch (error) {
      result.detail = error instanceof Error ? error.message : String(error)
    }
    tally(report, result, options)
    if (!options.keep) rmSync(dir, { recursive: true, force: true })
  }
  return report
}

/** True when a run ended well: exit 0 or an accepted "already done". */
function accepted(op: Operation, outcome: RunOutcome | undefined): boolean {
  return outcome === undefined || outcome.code === 0 || op.rerunAccepts?.(outcome) === true
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}

/** The report as a table, then one line per failure. */
export function formatTortureReport(report: TortureReport): string {
  const rows = [
    [
      'operation',
      'run ms',
      'trials',
      'kill points',
      'survived',
      'done before kill',
      'fixed by --fix',
      'failures',
    ],
    ...report.operations.map((r) => [
      r.op,
      String(r.durationMs),
      String(r.trials),
      String(r.killPoints),
      String(r.survived),
      String(r.completedBeforeKill),
      String(r.repairedByFix),
      String(r.failures.length),
    ]),
  ]
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)))
  const lines = rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  '))
  for (const r of report.operations) {
    for (const f of r.failures) {
      lines.push(
        `FAIL ${f.op} trial ${f.trial} (seed ${f.seed}, kill at ${f.killDelayMs} ms${f.killed ? '' : ', finished first'}) ` +
          `at ${f.stage ?? '?'}: ${f.detail}`,
      )
    }
  }
  lines.push(
    `${report.failures} failures in ${(report.elapsedMs / 1000).toFixed(1)} s (seed ${report.seed})`,
  )
  return lines.join('\n')
}

async function cliMain(argv: string[]): Promise<number> {
  const options: TortureOptions = { killsPerOp: 10, seed: 1 }
  let json = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${arg} needs a value`)
      return v
    }
    if (arg === '--kills-per-op') options.killsPerOp = integer(value(), arg)
    else if (arg === '--migrate-kills') options.migrateKills = integer(value(), arg)
    else if (arg === '--seed') options.seed = integer(value(), arg)
    else if (arg === '--trial') options.trial = integer(value(), arg)
    else if (arg === '--work') options.work = path.resolve(value())
    else if (arg === '--keep') options.keep = true
    else if (arg === '--small') options.small = true
    else if (arg === '--json') json = true
    else if (arg === '--ops') {
      const ops = value().split(',')
      for (const op of ops) {
        if (!(OPERATION_NAMES as readonly string[]).includes(op)) {
          throw new Error(`unknown operation ${op} (use ${OPERATION_NAMES.join(', ')})`)
        }
      }
      options.ops = ops as OperationName[]
    } else throw new Error(`unknown argument ${arg}`)
  }
  if (!json) {
    options.onTrial = (t) =>
      process.stderr.write(
        `${t.ok ? 'ok  ' : 'FAIL'} ${t.op} #${t.trial} kill ${t.killDelayMs} ms${t.killed ? '' : ' (finished first)'}` +
          `${t.ok ? '' : `: ${t.stage}: ${t.detail}`}\n`,
      )
  }
  const report = await runTorture(options)
  process.stdout.write(json ? `${JSON.stringify(report)}\n` : `${formatTortureReport(report)}\n`)
  return report.failures > 0 ? 1 : 0
}

function integer(text: string, flag: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${flag} takes a non-negative integer`)
  return n
}

if (isScriptEntry(import.meta.url)) {
  runScript('torture', cliMain)
}
