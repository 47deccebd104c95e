/**
 * Seeded mutation fuzzer for the files Coral reads from a repository: our own
 * store (loose object files, pack files and pack indexes, commit files,
 * refs, HEAD, config.json, staging.json, clustering.json, the migration
 * journal) and a Python-Coral repository (commit JSON, refs, HEAD,
 * config.json, and the HDF5 `weights.h5`).
 *
 * Each case copies a pristine repository, mutates one file (byte flips,
 * truncation, splices, interesting bytes; JSON files also get tokens
 * replaced by hostile values: huge or negative numbers, `../` and absolute
 * paths, NUL, 5,000-character strings, wrong types) and runs what a user
 * would run on it: open, log, validate (validate --fix for the journal,
 * which finishes the pending migration), clustering status, then every
 * tensor of every original commit read back and compared with the bytes it
 * was committed with. For Python-Coral it runs the importer into a memory
 * sink, and checks that every tensor the importer calls "verified" has
 * exactly the bytes the Python side committed (golden.json).
 *
 * A case passes when it ends in a `CoralError` with a documented code or in
 * a correct result. Failures: any other exception ('exception'), code
 * `Internal` ('internal'), a wrong byte read back or accepted as verified
 * ('wrong-result'), and no answer within the watchdog ('hang', default 2 s;
 * cases run in a worker thread that is terminated on a hang). Case `n` of a
 * target depends on `(seed, target, n)` alone.
 *
 * CLI: node dist/scripts/fuzz-stores.js [--cases N] [--seed S] [--target T]...
 *      [--case N] [--timeout MS] [--json] [--inline]
 */
import { createHash } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'

import { CoralError } from '../core/errors.js'
import { readClusteringState } from '../core/migrate/clustering-index.js'
import { writeJournal } from '../core/migrate/journal.js'
import { migrate } from '../core/migrate/migrate.js'
import { buildStoragePlan } from '../core/migrate/planner.js'
import { trajectoryRepo } from '../core/migrate/test-repos.js'
import { validateRepository } from '../core/migrate/validate.js'
import { importPythonCoral } from '../core/pycoral/import-into.js'
import type { ImportSink } from '../core/pycoral/import-sink.js'
import { prepareRepository } from '../core/repo/prepare.js'
import { Repository } from '../core/repo/repository.js'
import { tensorId } from '../core/store/tensor-id.js'
import { mulberry32 } from './fuzz-formats.js'
import { isScriptEntry, runScript } from './script-main.js'

/** The files the fuzzer mutates. */
export const STORE_TARGETS = [
  'object',
  'pack',
  'pack-index',
  'commit',
  'ref',
  'head',
  'config',
  'staging',
  'clustering',
  'journal',
  'py-json',
  'hdf5',
] as const

/** One of `STORE_TARGETS`. */
export type StoreTarget = (typeof STORE_TARGETS)[number]

/** Codes a reader may raise on a damaged repository (docs/CLI.md). */
export const STORE_CODES = [
  'ObjectCorrupt',
  'NotFound',
  'InvalidRef',
  'MalformedFile',
  'NotARepository',
  'Unsupported',
  'ValidationFailed',
  'NothingToCommit',
  'AlreadyMigrated',
] as const

/** Options of `runStoreFuzz`. */
export interface StoreFuzzOptions {
  cases: number
  seed: number
  targets?: readonly StoreTarget[]
  only?: number
  /** Run cases in a worker thread terminated on a hang (needs the compiled .js). */
  isolate?: boolean
  timeoutMs?: number
  /** Largest allowed RSS growth over the first case, in bytes (default 512 MiB). */
  rssBoundBytes?: number
}

/** A case that failed. */
export interface StoreFuzzFailure {
  target: StoreTarget
  seed: number
  case: number
  kind: 'exception' | 'internal' | 'undocumented-code' | 'wrong-result' | 'hang' | 'memory'
  detail: string
}

/** Counts per target. */
export interface StoreTargetReport {
  target: StoreTarget
  cases: number
  ok: number
  errors: Record<string, number>
  failures: StoreFuzzFailure[]
  elapsedMs: number
  /** The watchdog used for this target, in milliseconds. */
  timeoutMs: number
}

/** The whole run. */
export interface StoreFuzzReport {
  seed: number
  targets: StoreTargetReport[]
  failures: number
  /**
   * Highest growth of the process's resident memory over its size after the
   * first case, in bytes: a reader that allocated what a lying size field
   * asks for would show here (cases run in this process or its worker).
   */
  maxRssGrowthBytes?: number
}

type Outcome =
  | { kind: 'ok' }
  | { kind: 'error'; code: string }
  | { kind: Exclude<StoreFuzzFailure['kind'], 'hang' | 'memory'>; detail: string }

/** Pristine inputs every case starts from. */
interface Seeds {
  /** A migrated repository: packs from staging, loose deltas, clustering.json. */
  migrated: string
  /** An unmigrated repository with a pending migration journal. */
  pending: string
  /** Commit id to tensor name to SHA-256, for both repositories. */
  expected: Record<string, Record<string, string>>
  /** A copy of the Python-Coral v1.1 fixture. */
  python: string
  /** Commit message to tensor name to SHA-256 (golden.json). */
  golden: Record<string, Record<string, string>>
  /** Milliseconds an import of the undamaged Python repository takes here. */
  pythonImportMs: number
}

/** The Python-Coral v1.1 fixture, from scripts/ (tsx, vitest) or dist/scripts/ (compiled). */
function pyFixture(): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const candidates = [
    ['..', '..'],
    ['..', '..', '..'],
  ].map((up) => path.resolve(here, ...up, 'shared', 'fixtures', 'coral-py', 'v1.1'))
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0]!
}

function sha(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Builds the pristine repositories under `tmp`. */
export async function buildStoreSeeds(tmp: string): Promise<Seeds> {
  const expected: Seeds['expected'] = {}
  const record = (map: Map<string, Map<string, { data: Uint8Array }>>) => {
    for (const [commit, tensors] of map) {
      expected[commit] = Object.fromEntries([...tensors].map(([name, t]) => [name, sha(t.data)]))
    }
  }
  const a = await trajectoryRepo({ checkpoints: 3 })
  record(a.expected)
  await migrate(a.repo, { strategy: 'adaptive', threshold: 0.5 })
  const migrated = path.join(tmp, 'migrated')
  cpSync(a.repo.root, migrated, { recursive: true })
  rmSync(a.repo.root, { recursive: true, force: true })

  const b = await trajectoryRepo({ checkpoints: 3 })
  record(b.expected)
  const { plan } = await buildStoragePlan(b.repo, {
    strategy: 'adaptive',
    threshold: 0.5,
  })
  await writeJournal(b.repo, {
    version: 1,
    startedAt: new Date(0).toISOString(),
    phase: 'encode',
    done: 0,
    storedBytesBefore: await b.repo.objects.totalBytes(),
    backupPath: null,
    plan,
  })
  await b.repo.stageWeights({
    staged: { dtype: 'F32', shape: [4], data: new Uint8Array(16).fill(7) },
  })
  const pending = path.join(tmp, 'pending')
  cpSync(b.repo.root, pending, { recursive: true })
  rmSync(b.repo.root, { recursive: true, force: true })

  const fixture = pyFixture()
  const python = path.join(tmp, 'python')
  cpSync(fixture, python, { recursive: true })
  const goldenJson = JSON.parse(readFileSync(path.join(fixture, 'golden.json'), 'utf8')) as Record<
    string,
    Record<string, { sha256: string }>
  >
  const golden = Object.fromEntries(
    Object.entries(goldenJson).map(([message, tensors]) => [
      message,
      Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, t.sha256])),
    ]),
  )
  const t0 = performance.now()
  const pristine = await runPythonCase(python, golden)
  if (pristine.kind !== 'ok')
    throw new Error(`the undamaged Python fixture does not import: ${JSON.stringify(pristine)}`)
  return { migrated, pending, expected, python, golden, pythonImportMs: performance.now() - t0 }
}

/** Which pristine repository and which file(s) a target mutates. */
function targetFiles(seeds: Seeds, target: StoreTarget): { root: string; files: string[] } {
  const list = (root: string, rel: string, filter: (name: string) => boolean) => {
    const dir = path.join(root, rel)
    const out: string[] = []
    const walk = (d: string) => {
      for (const name of readdirSync(d).sort()) {
        const full = path.join(d, name)
        if (statSync(full).isDirectory()) walk(full)
        else if (filter(name)) out.push(path.relative(root, full))
      }
    }
    if (existsSync(dir)) walk(dir)
    return out
  }
  const m = seeds.migrated
  switch (target) {
    case 'object':
      return { root: m, files: list(m, '.coral/objects', (n) => /^[0-9a-f]{62}$/.test(n)) }
    case 'pack':
      return { root: m, files: list(m, '.coral/objects/pack', (n) => n.endsWith('.pack')) }
    case 'pack-index':
      return { root: m, files: list(m, '.coral/objects/pack', (n) => n.endsWith('.idx')) }
    case 'commit':
      return { root: m, files: list(m, '.coral/commits', () => true) }
    case 'ref':
      return { root: m, files: list(m, '.coral/refs', () => true) }
    case 'head':
      return { root: m, files: ['.coral/HEAD'] }
    case 'config':
      return { root: m, files: ['.coral/config.json'] }
    case 'clustering':
      return { root: m, files: ['.coral/clustering.json'] }
    case 'staging':
      return { root: seeds.pending, files: ['.coral/staging.json'] }
    case 'journal':
      return { root: seeds.pending, files: ['.coral/migration/journal.json'] }
    case 'py-json':
      return {
        root: seeds.python,
        files: [
          ...list(seeds.python, '.coral/objects/commits', () => true),
          ...list(seeds.python, '.coral/refs', () => true),
          ...list(seeds.python, '.coral/versions', () => true),
          '.coral/HEAD',
          '.coral/config.json',
        ],
      }
    case 'hdf5':
      return { root: seeds.python, files: ['.coral/objects/weights.h5'] }
  }
}

/** Hostile JSON values spliced in place of numbers and strings. */
const HOSTILE_VALUES = [
  '-1',
  '0',
  '1e308',
  '-1e308',
  '9007199254740993',
  '4294967296',
  '0.5',
  'null',
  'true',
  '[]',
  '{}',
  '""',
  '"../../../../tmp/coral-escape"',
  '"/tmp/coral-escape"',
  '"a\\u0000b"',
  `"${'x'.repeat(5000)}"`,
  `"${'f'.repeat(64)}"`,
  '"ref: refs/heads/../../../x"',
  '[[]]',
  '{"__proto__":{"polluted":1}}',
]

/** The mutated bytes of case `n`, derived only from its arguments. */
export function mutateStoreFile(
  original: Uint8Array,
  seed: number,
  targetIndex: number,
  n: number,
  json: boolean,
): Uint8Array {
  const random = mulberry32(mix(mix(mix(0x85ebca6b, seed), targetIndex), n))
  const int = (k: number) => Math.floor(random() * k)
  let bytes: Uint8Array = original.slice()
  const rounds = 1 + int(3)
  for (let r = 0; r < rounds; r++) {
    const op =
      json && random() < 0.6
        ? 'json'
        : ['flip', 'byte', 'truncate', 'splice', 'insert', 'zero'][int(6)]!
    const at = (limit: number) => (bytes.length === 0 ? 0 : int(limit))
    const metadataBias = () =>
      targetIndex === STORE_TARGETS.indexOf('hdf5') && random() < 0.7
        ? Math.min(bytes.length, 65536)
        : bytes.length
    switch (op) {
      case 'flip': {
        for (let k = 1 + int(8); k > 0 && bytes.length > 0; k--)
          bytes[at(metadataBias())]! ^= 1 << int(8)
        break
      }
      case 'byte': {
        if (bytes.length > 0) bytes[at(metadataBias())] = [0, 0xff, 0x7f, 0x80, 0x01][int(5)]!
        break
      }
      case 'truncate':
        bytes = bytes.slice(0, at(bytes.length + 1))
        break
      case 'splice': {
        const from = at(bytes.length)
        const len = int(64)
        const to = at(metadataBias())
        const chunk = bytes.slice(from, from + len)
        const out = bytes.slice()
        out.set(chunk.subarray(0, Math.max(0, out.length - to)), to)
        bytes = out
        break
      }
      case 'insert': {
        const to = at(metadataBias() + 1)
        const extra = new Uint8Array(1 + int(16)).map(() => int(256))
        bytes = concat(bytes.subarray(0, to), extra, bytes.subarray(to))
        break
      }
      case 'zero': {
        const from = at(metadataBias())
        bytes.fill(0, from, from + 1 + int(256))
        break
      }
      case 'json': {
        const text = new TextDecoder().decode(bytes)
        const tokens = [...text.matchAll(/-?\d+(\.\d+)?([eE][-+]?\d+)?|"(?:[^"\\]|\\.)*"/g)]
        if (tokens.length === 0) {
          bytes = new TextEncoder().encode(HOSTILE_VALUES[int(HOSTILE_VALUES.length)]!)
          break
        }
        const token = tokens[int(tokens.length)]!
        const value = HOSTILE_VALUES[int(HOSTILE_VALUES.length)]!
        const start = token.index!
        bytes = new TextEncoder().encode(
          text.slice(0, start) + value + text.slice(start + token[0].length),
        )
        break
      }
    }
  }
  return bytes
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  return (h ^ (h >>> 13)) >>> 0
}

/** Prepares case `n` in `caseDir` (a copy of the pristine repository with one file mutated). */
function prepareCase(
  seeds: Seeds,
  target: StoreTarget,
  seed: number,
  n: number,
  caseDir: string,
): string {
  const { root, files } = targetFiles(seeds, target)
  rmSync(caseDir, { recursive: true, force: true })
  cpSync(root, caseDir, { recursive: true })
  const pick = mulberry32(mix(mix(seed, STORE_TARGETS.indexOf(target)), n ^ 0x5bd1e995))
  const rel = files[Math.floor(pick() * files.length)]!
  const file = path.join(caseDir, rel)
  const original = new Uint8Array(readFileSync(file))
  const json = !/weights\.h5$|\.pack$/.test(rel) && !/objects\/[0-9a-f]{2}\//.test(rel)
  writeFileSync(file, mutateStoreFile(original, seed, STORE_TARGETS.indexOf(target), n, json))
  return rel
}

function classify(error: unknown): Outcome {
  if (error instanceof CoralError) {
    if (error.code === 'Internal') return { kind: 'internal', detail: error.message }
    if ((STORE_CODES as readonly string[]).includes(error.code))
      return { kind: 'error', code: error.code }
    return { kind: 'undocumented-code', detail: `${error.code}: ${error.message}` }
  }
  const e = error as Error
  return {
    kind: 'exception',
    detail: `${e?.name ?? 'Error'}: ${e?.message ?? String(error)} ${(e?.stack ?? '').split('\n')[1]?.trim() ?? ''}`,
  }
}

/** Runs what a user would run on the damaged Coral repository; checks every byte read. */
async function runCoralCase(
  dir: string,
  target: StoreTarget,
  expected: Seeds['expected'],
): Promise<Outcome> {
  let repo: Repository | undefined
  try {
    repo = await prepareRepository(await Repository.open(dir))
    await repo.log()
    if (target === 'journal') await validateRepository(repo, { fix: true })
    else await validateRepository(repo, { fix: false })
    await readClusteringState(repo)
    if (target === 'staging') {
      await repo.commit('fuzz')
      const head = await repo.headCommit()
      const tree = (await repo.readCommit(head!)).tree
      for (const [name, id] of Object.entries(tree)) {
        const tensor = await repo.getWeight(name)
        if (tensorId(tensor) !== id)
          return {
            kind: 'wrong-result',
            detail: `committed "${name}" reads back as another tensor`,
          }
      }
    }
    const commits = await repo.commits.ids()
    for (const [commit, tensors] of Object.entries(expected)) {
      if (!commits.includes(commit)) continue
      for (const [name, digest] of Object.entries(tensors)) {
        const tensor = await repo.getWeight(name, commit)
        if (sha(tensor.data) !== digest) {
          return {
            kind: 'wrong-result',
            detail: `tensor "${name}" of ${commit.slice(0, 12)} reads back different bytes`,
          }
        }
      }
    }
    return { kind: 'ok' }
  } catch (error) {
    return classify(error)
  } finally {
    // One process runs every case: without this, each leaked its pack descriptors.
    repo?.close()
  }
}

/** Imports the damaged Python repository into memory; checks every "verified" tensor against golden.json. */
async function runPythonCase(dir: string, golden: Seeds['golden']): Promise<Outcome> {
  const tensors = new Map<string, Uint8Array>()
  const commits = new Map<string, { message: string; tree: Record<string, string> }>()
  let next = 0
  const sink: ImportSink = {
    async writeTensor(tensor) {
      const id = tensorId(tensor)
      tensors.set(id, tensor.data)
      return id
    },
    async writeCommit(commit) {
      const id = `c${next++}`
      commits.set(id, { message: commit.message, tree: commit.tree })
      return id
    },
    async setBranch() {},
    async setTag() {},
    async setHead() {},
  }
  try {
    const result = await importPythonCoral(dir, sink)
    for (const t of result.tensors) {
      if (t.status !== 'verified') continue
      const commit = commits.get(result.commitIds[t.commit] ?? '')
      if (!commit) continue
      const want = golden[commit.message]?.[t.name]
      const id = commit.tree[t.name]
      if (want === undefined || id === undefined) continue
      if (sha(tensors.get(id)!) !== want) {
        return {
          kind: 'wrong-result',
          detail: `"${t.name}" of "${commit.message}" marked verified with other bytes`,
        }
      }
    }
    return { kind: 'ok' }
  } catch (error) {
    return classify(error)
  }
}

async function runCase(
  seeds: Seeds,
  target: StoreTarget,
  seed: number,
  n: number,
  work: string,
): Promise<Outcome & { file: string }> {
  const dir = path.join(work, `case-${target}`)
  const file = prepareCase(seeds, target, seed, n, dir)
  const outcome =
    target === 'py-json' || target === 'hdf5'
      ? await runPythonCase(dir, seeds.golden)
      : await runCoralCase(dir, target, seeds.expected)
  return { ...outcome, file }
}

/** Runs the fuzzer. */
export async function runStoreFuzz(options: StoreFuzzOptions): Promise<StoreFuzzReport> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'coral-fuzz-stores-'))
  try {
    const seeds = await buildStoreSeeds(tmp)
    const reports: StoreTargetReport[] = []
    const rssBound = options.rssBoundBytes ?? 512 * 1024 * 1024
    let baseline: number | undefined
    let maxGrowth = 0
    for (const target of options.targets ?? STORE_TARGETS) {
      // A Python case imports a whole repository (165 tensor versions through
      // h5wasm): its watchdog is 2 s beyond three undamaged imports.
      const timeoutMs =
        (options.timeoutMs ?? 2000) +
        (target === 'py-json' || target === 'hdf5' ? Math.round(3 * seeds.pythonImportMs) : 0)
      const started = performance.now()
      const report: StoreTargetReport = {
        target,
        cases: 0,
        ok: 0,
        errors: {},
        failures: [],
        elapsedMs: 0,
        timeoutMs,
      }
      const runner = options.isolate ? new IsolatedRunner(seeds, tmp, timeoutMs) : undefined
      try {
        const numbers =
          options.only !== undefined
            ? [options.only]
            : Array.from({ length: options.cases }, (_, i) => i)
        for (const n of numbers) {
          const outcome = runner
            ? await runner.run(target, options.seed, n)
            : await withTimeout(runCase(seeds, target, options.seed, n, tmp), timeoutMs)
          report.cases++
          if (outcome.kind === 'ok') report.ok++
          else if (outcome.kind === 'error')
            report.errors[outcome.code] = (report.errors[outcome.code] ?? 0) + 1
          else {
            const detail = `${'file' in outcome ? `${outcome.file}: ` : ''}${outcome.detail}`
            report.failures.push({
              target,
              seed: options.seed,
              case: n,
              kind: outcome.kind,
              detail,
            })
          }
          const rss = process.memoryUsage().rss
          baseline ??= rss
          maxGrowth = Math.max(maxGrowth, rss - baseline)
          if (rss - baseline > rssBound) {
            const detail = `RSS grew by ${Math.round((rss - baseline) / 1e6)} MB`
            report.failures.push({ target, seed: options.seed, case: n, kind: 'memory', detail })
            baseline = rss
          }
        }
      } finally {
        await runner?.close()
      }
      report.elapsedMs = Math.round(performance.now() - started)
      reports.push(report)
    }
    return {
      seed: options.seed,
      targets: reports,
      failures: reports.reduce((s, r) => s + r.failures.length, 0),
      maxRssGrowthBytes: maxGrowth,
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

type CaseResult = (Outcome & { file?: string }) | { kind: 'hang'; detail: string }

async function withTimeout(promise: Promise<CaseResult>, ms: number): Promise<CaseResult> {
  let timer: NodeJS.Timeout | undefined
  const hang = new Promise<CaseResult>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'hang', detail: `no answer within ${ms} ms` }), ms)
  })
  try {
    return await Promise.race([promise, hang])
  } finally {
    clearTimeout(timer)
  }
}

/** One worker thread running cases; replaced when a case overruns the watchdog. */
class IsolatedRunner {
  private worker: Worker | undefined
  private warm = false

  constructor(
    private readonly seeds: Seeds,
    private readonly tmp: string,
    private readonly timeoutMs: number,
  ) {}

  private spawn(): Worker {
    this.worker = new Worker(fileURLToPath(import.meta.url), {
      workerData: {
        fuzzStoresWorker: true,
        seeds: this.seeds,
        work: mkdtempSync(path.join(this.tmp, 'w-')),
      },
    })
    this.warm = false
    return this.worker
  }

  async run(target: StoreTarget, seed: number, n: number): Promise<CaseResult> {
    const worker = this.worker ?? this.spawn()
    // The first case of a fresh worker also loads zstd and h5wasm: allow it more time.
    const limit = this.warm ? this.timeoutMs : this.timeoutMs + 10_000
    const result = await new Promise<CaseResult>((resolve) => {
      const timer = setTimeout(() => {
        worker.off('message', onMessage)
        resolve({ kind: 'hang', detail: `no answer within ${limit} ms` })
      }, limit)
      const onMessage = (message: CaseResult) => {
        clearTimeout(timer)
        worker.off('message', onMessage)
        resolve(message)
      }
      worker.on('message', onMessage)
      worker.postMessage({ target, seed, n })
    })
    this.warm = true
    if (result.kind === 'hang') {
      await worker.terminate()
      this.worker = undefined
    }
    return result
  }

  async close(): Promise<void> {
    await this.worker?.terminate()
  }
}

function workerMain(): void {
  const { seeds, work } = workerData as { seeds: Seeds; work: string }
  parentPort!.on('message', (message: { target: StoreTarget; seed: number; n: number }) => {
    runCase(seeds, message.target, message.seed, message.n, work).then(
      (outcome) => parentPort!.postMessage(outcome),
      (error: unknown) => parentPort!.postMessage(classify(error)),
    )
  })
}

/** The report as a table, then one line per failure. */
export function formatStoreFuzzReport(report: StoreFuzzReport): string {
  const lines = [
    'target       cases  ok     errors (by code)                                   failures  seconds  watchdog ms',
  ]
  for (const r of report.targets) {
    const errors = Object.entries(r.errors)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ')
    lines.push(
      `${r.target.padEnd(12)} ${String(r.cases).padEnd(6)} ${String(r.ok).padEnd(6)} ${errors.padEnd(50)} ${String(r.failures.length).padEnd(9)} ${(r.elapsedMs / 1000).toFixed(1).padEnd(8)} ${r.timeoutMs}`,
    )
  }
  for (const r of report.targets) {
    for (const f of r.failures.slice(0, 20)) {
      lines.push(`FAIL ${f.target} --seed ${f.seed} --case ${f.case} (${f.kind}): ${f.detail}`)
    }
    if (r.failures.length > 20)
      lines.push(`... and ${r.failures.length - 20} more failures of ${r.target}`)
  }
  const rss =
    report.maxRssGrowthBytes === undefined
      ? ''
      : `, max RSS growth ${Math.round(report.maxRssGrowthBytes / 1e6)} MB`
  lines.push(`${report.failures} failures (seed ${report.seed}${rss})`)
  return lines.join('\n')
}

async function cliMain(argv: string[]): Promise<number> {
  const options: StoreFuzzOptions = { cases: 1000, seed: 1, isolate: true }
  let json = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const value = () => {
      const v = argv[++i]
      if (v === undefined) throw new Error(`${arg} needs a value`)
      return v
    }
    if (arg === '--cases') options.cases = Number.parseInt(value(), 10)
    else if (arg === '--seed') options.seed = Number.parseInt(value(), 10)
    else if (arg === '--case') options.only = Number.parseInt(value(), 10)
    else if (arg === '--timeout') options.timeoutMs = Number.parseInt(value(), 10)
    else if (arg === '--json') json = true
    else if (arg === '--inline') options.isolate = false
    else if (arg === '--target') {
      const target = value()
      if (!(STORE_TARGETS as readonly string[]).includes(target))
        throw new Error(`unknown target ${target}`)
      options.targets = [...(options.targets ?? []), target as StoreTarget]
    } else throw new Error(`unknown argument ${arg}`)
  }
  if (
    !Number.isSafeInteger(options.cases) ||
    options.cases < 1 ||
    !Number.isSafeInteger(options.seed)
  ) {
    throw new Error('--cases and --seed take integers')
  }
  const report = await runStoreFuzz(options)
  process.stdout.write(json ? `${JSON.stringify(report)}\n` : `${formatStoreFuzzReport(report)}\n`)
  return report.failures > 0 ? 1 : 0
}

if (!isMainThread && (workerData as { fuzzStoresWorker?: boolean } | null)?.fuzzStoresWorker) {
  workerMain()
} else if (isMainThread && isScriptEntry(import.meta.url)) {
  runScript('fuzz-stores', cliMain)
}
