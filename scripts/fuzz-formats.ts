/**
 * Seeded mutation fuzzer for the weight-file readers in core/formats.
 *
 * Starts from valid inputs of each format (safetensors, npy, npz, pt), mutates
 * them (byte flips, truncations, splices, integer fields overwritten with
 * huge or negative values, numbers in text headers rewritten) and runs
 * `readWeightFile` and `listWeightFile` on each result. A case passes when it
 * ends in a `CoralError` with a documented code (`MalformedFile`,
 * `Unsupported`) or in a self-consistent result; anything else (another
 * exception, a hang past the watchdog, RSS growth past the bound) is a
 * failure reported with its seed and case number. Case `n` of a format is
 * derived from `(seed, format, n)` alone, so any case can be re-run by itself.
 *
 * CLI: node dist/scripts/fuzz-formats.js --cases 1000 --seed 1 [--format npy]
 *      [--case N] [--json] [--inline]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads'

import { zipSync } from 'fflate'

import { CoralError } from '../core/errors.js'
import { encodeNpy } from '../core/formats/npy.js'
import { writeSafetensors } from '../core/formats/safetensors.js'
import { listWeightFile, readWeightFile } from '../core/formats/weight-file.js'
import { byteLength, type DType } from '../core/tensor/dtype.js'
import type { Tensor } from '../core/tensor/tensor.js'
import { isScriptEntry, runScript } from './script-main.js'

/** The formats the fuzzer exercises. */
export const FUZZ_FORMATS = ['safetensors', 'npy', 'npz', 'pt'] as const

/** One of `FUZZ_FORMATS`. */
export type FuzzFormat = (typeof FUZZ_FORMATS)[number]

/** Error codes a reader may legitimately raise on hostile input. */
export const DOCUMENTED_CODES = ['MalformedFile', 'Unsupported'] as const

/** Options of `runFuzz`. */
export interface FuzzOptions {
  /** Cases per format. */
  cases: number
  /** Master seed; the same seed gives the same cases. */
  seed: number
  /** Formats to fuzz (all by default). */
  formats?: readonly FuzzFormat[]
  /** Run only this case number (for reproducing a failure). */
  only?: number
  /**
   * Run each case in a worker thread that is killed when it overruns the
   * watchdog (catches synchronous hangs). Needs the compiled .js file; the
   * inline mode used by tests can only catch asynchronous hangs.
   */
  isolate?: boolean
  /** Watchdog per case, in milliseconds (default 2000). */
  timeoutMs?: number
  /** Largest allowed RSS growth over the first case, in bytes (default 512 MiB). */
  rssBoundBytes?: number
}

/** A case that did not end in a documented error or a consistent result. */
export interface FuzzFailure {
  format: FuzzFormat
  seed: number
  case: number
  kind: 'exception' | 'undocumented-code' | 'hang' | 'memory' | 'inconsistent'
  detail: string
}

/** Counts for one format. */
export interface FormatReport {
  format: FuzzFormat
  cases: number
  /** Cases whose mutated input still read as a consistent set of tensors. */
  ok: number
  /** Cases that ended in a documented `CoralError`, by code. */
  errors: Record<string, number>
  failures: FuzzFailure[]
}

/** The result of a fuzz run. */
export interface FuzzReport {
  seed: number
  casesPerFormat: number
  formats: FormatReport[]
  failures: number
  /** Wall time of the run, in milliseconds. */
  elapsedMs: number
  /** Highest RSS growth seen over the first case, in bytes. */
  maxRssGrowthBytes: number
}

interface CaseOutcome {
  outcome: 'ok' | 'error' | 'failure'
  code?: string
  kind?: FuzzFailure['kind']
  detail?: string
  rss: number
}

const EXTENSIONS: Record<FuzzFormat, string> = {
  safetensors: '.safetensors',
  npy: '.npy',
  npz: '.npz',
  pt: '.pt',
}

/**
 * Runs the fuzzer and returns per-format counts and every failure.
 *
 * Never throws for a failing case; the caller decides what a failure means.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now()
  const formats = options.formats ?? FUZZ_FORMATS
  const timeoutMs = options.timeoutMs ?? 2000
  const rssBound = options.rssBoundBytes ?? 512 * 1024 * 1024
  const runner = options.isolate
    ? await WorkerRunner.start(options.seed)
    : await InlineRunner.start(options.seed)
  const reports: FormatReport[] = []
  let baseline: number | undefined
  let maxGrowth = 0
  try {
    for (const format of formats) {
      const report: FormatReport = { format, cases: 0, ok: 0, errors: {}, failures: [] }
      const first = options.only ?? 0
      const last = options.only ?? options.cases - 1
      for (let n = first; n <= last; n++) {
        const result = await runner.run(format, n, timeoutMs)
        report.cases++
        if (result.rss > 0) {
          baseline ??= result.rss
          maxGrowth = Math.max(maxGrowth, result.rss - baseline)
        }
        const fail = (kind: FuzzFailure['kind'], detail: string): void => {
          report.failures.push({ format, seed: options.seed, case: n, kind, detail })
        }
        if (result.outcome === 'ok') {
          report.ok++
        } else if (result.outcome === 'error') {
          report.errors[result.code!] = (report.errors[result.code!] ?? 0) + 1
        } else {
          fail(result.kind!, result.detail!)
        }
        if (baseline !== undefined && result.rss - baseline > rssBound) {
          fail('memory', `RSS grew by ${Math.round((result.rss - baseline) / 1e6)} MB`)
          baseline = result.rss
        }
      }
      reports.push(report)
    }
  } finally {
    await runner.close()
  }
  return {
    seed: options.seed,
    casesPerFormat: options.only === undefined ? options.cases : 1,
    formats: reports,
    failures: reports.reduce((sum, r) => sum + r.failures.length, 0),
    elapsedMs: Date.now() - started,
    maxRssGrowthBytes: maxGrowth,
  }
}

/** A small, fast, seedable PRNG (mulberry32); returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The mutated input of case `n` of `format`, derived only from its arguments. */
export function makeCase(
  seeds: readonly Uint8Array[],
  seed: number,
  format: FuzzFormat,
  n: number,
): Uint8Array {
  const formatIndex = FUZZ_FORMATS.indexOf(format)
  const random = mulberry32(mix(mix(mix(0x9e3779b9, seed), formatIndex), n))
  const int = (limit: number): number => Math.floor(random() * limit)
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!
  let bytes: Uint8Array = pick(seeds).slice()
  const mutations = 1 + int(3)
  for (let m = 0; m < mutations; m++) {
    bytes = mutate(bytes, seeds, random, int, pick)
  }
  return bytes
}

function mutate(
  input: Uint8Array,
  seeds: readonly Uint8Array[],
  random: () => number,
  int: (limit: number) => number,
  pick: <T>(items: readonly T[]) => T,
): Uint8Array {
  const bytes = input
  // Offsets near the start hold most headers, so favour them.
  const offset = (): number =>
    bytes.length === 0 ? 0 : random() < 0.6 ? int(Math.min(bytes.length, 256)) : int(bytes.length)
  switch (int(6)) {
    case 0: {
      // Flip bits or set random bytes
      const flips = 1 + int(8)
      for (let i = 0; i < flips && bytes.length > 0; i++) {
        const at = offset()
        bytes[at] = random() < 0.5 ? bytes[at]! ^ (1 << int(8)) : int(256)
      }
      return bytes
    }
    case 1:
      // Truncate
      return bytes.slice(0, int(bytes.length + 1))
    case 2: {
      // Splice a chunk of this or another seed over or into a random place
      const donor = random() < 0.5 ? bytes : pick(seeds)
      const from = int(donor.length)
      const chunk = donor.slice(from, from + 1 + int(64))
      const at = offset()
      if (random() < 0.5) {
        const out = new Uint8Array(bytes.length + chunk.length)
        out.set(bytes.subarray(0, at))
        out.set(chunk, at)
        out.set(bytes.subarray(at), at + chunk.length)
        return out
      }
      const out = bytes.slice()
      out.set(chunk.subarray(0, Math.max(0, out.length - at)), at)
      return out
    }
    case 3: {
      // Overwrite a binary integer field with an extreme value
      const values = [
        0n,
        1n,
        0x7fn,
        0xffn,
        0x7fffn,
        0xffffn,
        0x7fffffffn,
        0xffffffffn,
        2n ** 53n,
        2n ** 63n,
        2n ** 64n - 1n,
        2n ** 40n,
      ]
      const width = pick([2, 4, 8])
      const at = offset()
      if (at + width <= bytes.length) {
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
        const value = pick(values)
        if (width === 2) view.setUint16(at, Number(value & 0xffffn), true)
        else if (width === 4) view.setUint32(at, Number(value & 0xffffffffn), true)
        else view.setBigUint64(at, value, true)
      }
      return bytes
    }
    case 4: {
      // Rewrite a number in a text header (JSON, .npy dict, pickle text ops)
      const text = Buffer.from(bytes).toString('latin1')
      const runs = [...text.slice(0, 4096).matchAll(/[0-9]+/g)]
      if (runs.length === 0) return bytes
      const run = pick(runs)
      const replacement = pick([
        '-1',
        '0',
        '99999999999999999999',
        '18446744073709551615',
        '9007199254740993',
        '1e308',
        '4294967296',
        '1.5',
        String(int(1 << 20)),
      ])
      const out = text.slice(0, run.index) + replacement + text.slice(run.index! + run[0].length)
      return Uint8Array.from(Buffer.from(out, 'latin1'))
    }
    default: {
      // Duplicate or delete a region
      const at = offset()
      const length = 1 + int(32)
      if (random() < 0.5) {
        const chunk = bytes.slice(at, at + length)
        const out = new Uint8Array(bytes.length + chunk.length)
        out.set(bytes.subarray(0, at))
        out.set(chunk, at)
        out.set(bytes.subarray(at), at + chunk.length)
        return out
      }
      const out = new Uint8Array(bytes.length - Math.min(length, bytes.length - at))
      out.set(bytes.subarray(0, at))
      out.set(bytes.subarray(at + length), at)
      return out
    }
  }
}

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ b, 0x85ebca6b) >>> 0
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}

/** Builds the valid inputs each format's cases start from. */
export async function buildSeeds(tmp: string): Promise<Record<FuzzFormat, Uint8Array[]>> {
  const tensors = sampleTensors()
  const fixtures = findFixtures()
  const readFixtures = (pattern: RegExp): Uint8Array[] =>
    fixtures === undefined
      ? []
      : readdirSync(fixtures)
          .filter((name) => pattern.test(name))
          .sort()
          .map((name) => new Uint8Array(readFileSync(path.join(fixtures, name))))

  // safetensors
  const file = path.join(tmp, 'seed.safetensors')
  await writeSafetensors(file, Object.entries(tensors), { format: 'pt' })
  const safetensors = [new Uint8Array(readFileSync(file))]
  await writeSafetensors(file, [['only', tensors['f32']!]])
  safetensors.push(new Uint8Array(readFileSync(file)))

  // npy / npz
  const npyTensors = Object.entries(tensors).filter(
    ([, t]) => t.dtype !== 'BF16' && !t.dtype.startsWith('F8'),
  )
  const npy = [
    ...npyTensors.slice(0, 4).map(([, t]) => encodeNpy(t)),
    ...readFixtures(/^(f64-fortran|i32-big|v2)\.npy$/),
  ]
  const members = Object.fromEntries(npyTensors.map(([name, t]) => [`${name}.npy`, encodeNpy(t)]))
  const npz = [
    zipSync(members, { level: 0 }),
    zipSync(members, { level: 6 }),
    ...readFixtures(/\.npz$/),
  ]

  // pt: only torch writes these, so they come from the committed fixtures.
  const pt = readFixtures(/^(state|nested)\.pt$/)
  if (pt.length === 0) {
    throw new Error('fuzz-formats: core/formats/__fixtures__/state.pt not found')
  }
  return { safetensors, npy, npz, pt }
}

function sampleTensors(): Record<string, Tensor> {
  const make = (dtype: DType, shape: number[], fill: (i: number) => number): Tensor => {
    const data = new Uint8Array(byteLength(dtype, shape)!)
    for (let i = 0; i < data.length; i++) data[i] = fill(i) & 0xff
    return { dtype, shape, data }
  }
  return {
    f32: make('F32', [3, 4], (i) => i * 37),
    f64: make('F64', [2], (i) => i * 11),
    f16: make('F16', [5], (i) => i * 3),
    bf16: make('BF16', [2, 2], (i) => i + 60),
    i64: make('I64', [3], (i) => i),
    i8: make('I8', [4], (i) => 250 + i),
    bool: make('BOOL', [3], (i) => i % 2),
    scalar: make('F32', [], () => 0x7f),
    empty: make('F32', [0, 5], () => 0),
  }
}

function findFixtures(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'core', 'formats', '__fixtures__')
    if (existsSync(candidate)) return candidate
    dir = path.dirname(dir)
  }
  return undefined
}

/** Runs one case in the current thread: write, read, list, check. */
async function runCase(file: string, bytes: Uint8Array): Promise<CaseOutcome> {
  await writeFile(file, bytes)
  try {
    const read: { name: string; dtype: DType; shape: readonly number[]; bytes: number }[] = []
    for await (const { name, tensor } of readWeightFile(file)) {
      if (byteLength(tensor.dtype, tensor.shape) !== tensor.data.length) {
        return failure(
          'inconsistent',
          `tensor ${JSON.stringify(name)} has ${tensor.data.length} bytes for ${tensor.dtype} [${tensor.shape.join(', ')}]`,
        )
      }
      read.push({ name, dtype: tensor.dtype, shape: tensor.shape, bytes: tensor.data.length })
    }
    const listed = await listWeightFile(file)
    const same =
      listed.length === read.length &&
      listed.every(
        (entry, i) =>
          entry.name === read[i]!.name &&
          entry.info.dtype === read[i]!.dtype &&
          entry.info.byteLength === read[i]!.bytes &&
          entry.info.shape.join() === read[i]!.shape.join(),
      )
    if (!same) {
      return failure('inconsistent', 'listWeightFile and readWeightFile disagree')
    }
    return { outcome: 'ok', rss: process.memoryUsage().rss }
  } catch (error) {
    if (error instanceof CoralError) {
      if ((DOCUMENTED_CODES as readonly string[]).includes(error.code)) {
        if (error.message.includes('\n') || !error.message.startsWith(file)) {
          return failure(
            'inconsistent',
            `message does not name the file on one line: ${error.message}`,
          )
        }
        return { outcome: 'error', code: error.code, rss: process.memoryUsage().rss }
      }
      return failure('undocumented-code', `${error.code}: ${error.message}`)
    }
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    return failure('exception', text)
  }
}

function failure(kind: FuzzFailure['kind'], detail: string): CaseOutcome {
  return { outcome: 'failure', kind, detail, rss: process.memoryUsage().rss }
}

interface Runner {
  run(format: FuzzFormat, n: number, timeoutMs: number): Promise<CaseOutcome>
  close(): Promise<void>
}

// Runs cases in this thread; the watchdog catches only asynchronous hangs.
class InlineRunner implements Runner {
  private constructor(
    private readonly tmp: string,
    private readonly seed: number,
    private readonly seeds: Record<FuzzFormat, Uint8Array[]>,
  ) {}

  static async start(seed: number): Promise<InlineRunner> {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'coral-fuzz-'))
    return new InlineRunner(tmp, seed, await buildSeeds(tmp))
  }

  async run(format: FuzzFormat, n: number, timeoutMs: number): Promise<CaseOutcome> {
    const bytes = makeCase(this.seeds[format], this.seed, format, n)
    const file = path.join(this.tmp, `case${EXTENSIONS[format]}`)
    let timer: NodeJS.Timeout | undefined
    const watchdog = new Promise<CaseOutcome>((resolve) => {
      timer = setTimeout(
        () => resolve(failure('hang', `no result after ${timeoutMs} ms`)),
        timeoutMs,
      )
    })
    try {
      return await Promise.race([runCase(file, bytes), watchdog])
    } finally {
      clearTimeout(timer)
    }
  }

  async close(): Promise<void> {
    rmSync(this.tmp, { recursive: true, force: true })
  }
}

// Runs cases in a worker thread and terminates it when a case overruns.
class WorkerRunner implements Runner {
  private worker: Worker | undefined

  private constructor(private readonly seed: number) {}

  static async start(seed: number): Promise<WorkerRunner> {
    const runner = new WorkerRunner(seed)
    await runner.spawn()
    return runner
  }

  private async spawn(): Promise<void> {
    const worker = new Worker(fileURLToPath(import.meta.url), {
      workerData: { fuzzWorker: true, seed: this.seed },
    })
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve())
      worker.once('error', reject)
    })
    this.worker = worker
  }

  async run(format: FuzzFormat, n: number, timeoutMs: number): Promise<CaseOutcome> {
    const worker = this.worker!
    const outcome = await new Promise<CaseOutcome | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs)
      worker.once('message', (message: CaseOutcome) => {
        clearTimeout(timer)
        resolve(message)
      })
      worker.once('error', (error) => {
        clearTimeout(timer)
        resolve(failure('exception', `worker died: ${String(error)}`))
      })
      worker.postMessage({ format, n })
    })
    if (
      outcome === undefined ||
      (outcome.kind === 'exception' && outcome.detail?.startsWith('worker died'))
    ) {
      await worker.terminate()
      await this.spawn()
      return outcome ?? failure('hang', `no result after ${timeoutMs} ms`)
    }
    worker.removeAllListeners('error')
    return outcome
  }

  async close(): Promise<void> {
    await this.worker?.terminate()
  }
}

async function workerMain(seed: number): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'coral-fuzz-'))
  const seeds = await buildSeeds(tmp)
  const port = parentPort!
  port.on('message', ({ format, n }: { format: FuzzFormat; n: number }) => {
    const bytes = makeCase(seeds[format], seed, format, n)
    void runCase(path.join(tmp, `case${EXTENSIONS[format]}`), bytes).then((result) =>
      port.postMessage(result),
    )
  })
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }))
  port.postMessage('ready')
}

function formatReport(report: FuzzReport): string {
  const lines = [
    `fuzz-formats: seed ${report.seed}, ${report.casesPerFormat} cases per format, ${(report.elapsedMs / 1000).toFixed(1)} s, max RSS growth ${Math.round(report.maxRssGrowthBytes / 1e6)} MB`,
  ]
  for (const r of report.formats) {
    const errors = Object.entries(r.errors)
      .sort()
      .map(([code, count]) => `${code} ${count}`)
      .join(', ')
    lines.push(
      `  ${r.format.padEnd(11)} cases ${r.cases}, ok ${r.ok}, errors: ${errors || 'none'}, failures ${r.failures.length}`,
    )
    for (const f of r.failures) {
      lines.push(`    FAIL ${f.format} --seed ${f.seed} --case ${f.case}: ${f.kind}: ${f.detail}`)
    }
  }
  return lines.join('\n')
}

async function cliMain(argv: string[]): Promise<number> {
  const options: FuzzOptions = { cases: 1000, seed: 1, isolate: true }
  let json = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = (): string => {
      const next = argv[++i]
      if (next === undefined) throw new Error(`${arg} needs a value`)
      return next
    }
    if (arg === '--cases') options.cases = Number.parseInt(value(), 10)
    else if (arg === '--seed') options.seed = Number.parseInt(value(), 10)
    else if (arg === '--case') options.only = Number.parseInt(value(), 10)
    else if (arg === '--timeout') options.timeoutMs = Number.parseInt(value(), 10)
    else if (arg === '--json') json = true
    else if (arg === '--inline') options.isolate = false
    else if (arg === '--format') {
      const format = value()
      if (!(FUZZ_FORMATS as readonly string[]).includes(format))
        throw new Error(`unknown format ${format}`)
      options.formats = [...(options.formats ?? []), format as FuzzFormat]
    } else throw new Error(`unknown argument ${arg}`)
  }
  if (
    !Number.isSafeInteger(options.cases) ||
    options.cases < 1 ||
    !Number.isSafeInteger(options.seed)
  ) {
    throw new Error('--cases and --seed take integers')
  }
  const report = await runFuzz(options)
  process.stdout.write(json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`)
  return report.failures > 0 ? 1 : 0
}

if (!isMainThread && (workerData as { fuzzWorker?: boolean } | null)?.fuzzWorker) {
  void workerMain((workerData as { seed: number }).seed)
} else if (isMainThread && isScriptEntry(import.meta.url)) {
  runScript('fuzz-formats', cliMain)
}
