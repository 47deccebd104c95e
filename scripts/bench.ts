/**
 * `npm run bench`: Coral's benchmarks with baselines measured in the same run.
 *
 * Ingest: every checkpoint of ../shared/zoo/lm and ../shared/zoo/ft, one
 * commit per file, in a fresh process; then every commit is exported and each
 * tensor compared byte for byte with its source file. Beside it, Debian's
 * `zstd -3 -T1` over the same files. Figures: wall time, peak memory, stored
 * bytes over raw tensor bytes. Results are documented in docs/BENCHMARKS.md.
 *
 * Usage: node dist/scripts/bench.js [--json]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { ensureZstd, zstdBackendName } from '../core/codec/zstd.js'
import { readWeightFile } from '../core/formats/weight-file.js'
import { writeSafetensors } from '../core/formats/safetensors.js'
import { Repository } from '../core/repo/repository.js'
import type { Tensor } from '../core/tensor/tensor.js'
import { ratio, reportPhase, runBaseline, runPhase } from './bench/measure.js'
import { componentRates } from './bench/components.js'
import { baselines, buildPhase, migratePhase } from './bench/migrate.js'

const ZOO = path.resolve(import.meta.dirname, '../../../shared/zoo')

/** Checkpoint files of a zoo folder, in history order. */
export function zooFiles(folder: string): string[] {
  const dir = path.join(ZOO, folder)
  return readdirSync(dir)
    .filter((f) => f.endsWith('.safetensors'))
    .sort()
    .map((f) => path.join(dir, f))
}

async function ingestPhase(repoDir: string, files: string[]): Promise<void> {
  const started = performance.now()
  const repo = await Repository.init(repoDir)
  let rawBytes = 0
  for (const file of files) {
    const entries: [string, Tensor][] = []
    for await (const { name, tensor } of readWeightFile(file)) {
      entries.push([name, tensor])
      rawBytes += tensor.data.length
    }
    await repo.stageWeights(entries)
    await repo.commit(path.basename(file))
  }
  const ms = performance.now() - started
  reportPhase({ ms, rawBytes, storedBytes: await repo.objects.totalBytes() })
}

async function exportPhase(repoDir: string, files: string[]): Promise<void> {
  const started = performance.now()
  const repo = await Repository.open(repoDir)
  const commits = (await repo.log()).reverse()
  const out = mkdtempSync(path.join(os.tmpdir(), 'coral-bench-export-'))
  let mismatches = 0
  let tensorsCompared = 0
  for (const [index, commit] of commits.entries()) {
    // Export, then compare the exported file's tensors with the source's.
    const target = path.join(out, `${index}.safetensors`)
    const entries: [string, Tensor][] = []
    for await (const entry of repo.iterateWeights(commit.id)) entries.push(entry)
    await writeSafetensors(target, entries)
    const source = new Map<string, Tensor>()
    for await (const { name, tensor } of readWeightFile(files[index]!)) source.set(name, tensor)
    for await (const { name, tensor } of readWeightFile(target)) {
      const expected = source.get(name)
      tensorsCompared++
      if (
        !expected ||
        expected.dtype !== tensor.dtype ||
        expected.shape.join() !== tensor.shape.join() ||
        !Buffer.from(expected.data).equals(Buffer.from(tensor.data))
      ) {
        mismatches++
      }
      source.delete(name)
    }
    mismatches += source.size
  }
  rmSync(out, { recursive: true, force: true })
  reportPhase({
    ms: performance.now() - started,
    commits: commits.length,
    tensorsCompared,
    mismatches,
  })
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const phaseIndex = args.indexOf('--phase')
  if (phaseIndex >= 0) {
    const [phase, repoDir, ...files] = args.slice(phaseIndex + 1)
    if (phase === 'ingest') return ingestPhase(repoDir!, files)
    if (phase === 'export') return exportPhase(repoDir!, files)
    if (phase === 'build') return buildPhase(repoDir!, files)
    if (phase === 'dry-run' || phase === 'migrate') return migratePhase(repoDir!, phase)
    throw new Error(`unknown phase ${phase}`)
  }
  const json = args.includes('--json')
  const files = [...zooFiles('lm'), ...zooFiles('ft')]
  const fileBytes = files.reduce((sum, f) => sum + statSync(f).size, 0)
  const work = mkdtempSync(path.join(os.tmpdir(), 'coral-bench-'))
  const repoDir = path.join(work, 'repo')
  try {
    const zstd = runBaseline(`zstd -3 -T1 -q -c ${files.map((f) => `'${f}'`).join(' ')} | wc -c`)
    const zstdBytes = Number.parseInt(zstd.stdout.trim(), 10)
    const ingest = runPhase(import.meta.url, 'ingest', [repoDir, ...files])
    const exported = runPhase(import.meta.url, 'export', [repoDir, ...files])
    const result = {
      files: files.length,
      fileBytes,
      rawTensorBytes: ingest.rawBytes,
      ingest: { ms: ingest.ms, peakRssBytes: ingest.peakRssBytes, storedBytes: ingest.storedBytes },
      zstd3: { ms: zstd.ms, peakRssBytes: zstd.peakRssBytes, bytes: zstdBytes },
      export: exported,
      ratios: {
        timeVsZstd: ingest.ms / zstd.ms,
        storedOverRaw: (ingest.storedBytes as number) / (ingest.rawBytes as number),
        zstdOverFile: zstdBytes / fileBytes,
      },
    }
    const mb = (b: number | null) => (b === null ? 'n/a' : `${(b / 1e6).toFixed(1)} MB`)
    await ensureZstd()
    // The phases run in child processes with this environment, so they use the same library.
    console.log(`zstd library: ${zstdBackendName()} (CORAL_ZSTD=wasm forces the WASM build)\n`)
    console.log(
      `Ingest: ${files.length} checkpoints of zoo/lm + zoo/ft, ${mb(fileBytes)} (${mb(ingest.rawBytes as number)} tensor bytes), one commit per file`,
    )
    console.log(`                      wall time   peak memory   stored/raw`)
    console.log(
      `  coral ingest        ${(ingest.ms / 1000).toFixed(2).padStart(7)} s   ${mb(ingest.peakRssBytes).padStart(11)}   ${ratio(ingest.storedBytes as number, ingest.rawBytes as number)}`,
    )
    console.log(
      `  zstd -3 -T1 (files) ${(zstd.ms / 1000).toFixed(2).padStart(7)} s   ${mb(zstd.peakRssBytes).padStart(11)}   ${ratio(zstdBytes, fileBytes)}`,
    )
    console.log(`  ingest time / zstd time: ${result.ratios.timeVsZstd.toFixed(2)} (target <= 2)`)
    console.log(
      `  stored ratio ${result.ratios.storedOverRaw.toFixed(3)} vs whole-file zstd ${result.ratios.zstdOverFile.toFixed(3)} (target: below)`,
    )
    console.log(
      `Export: ${exported.commits} commits, ${exported.tensorsCompared} tensors compared with their source files, ${exported.mismatches} mismatches, ${(exported.ms / 1000).toFixed(2)} s, peak ${mb(exported.peakRssBytes)}`,
    )
    if ((exported.mismatches as number) > 0) process.exitCode = 1
    const components = await componentRates(files[5]!, files[6]!)
    console.log(
      '\nBuilding blocks on zoo/lm checkpoints 6 and 7 (MB of input per second, best of 3):',
    )
    for (const [block, mbps] of Object.entries(components))
      console.log(`  ${block.padEnd(42)} ${mbps.toFixed(0).padStart(6)}`)
    console.log(
      `  zstd -3 -T1 over the ingest files           ${(fileBytes / 1e6 / (zstd.ms / 1000)).toFixed(0).padStart(6)} (process wall time)`,
    )
    const migrations = []
    for (const [label, folders] of [
      ['lm + ft (F32)', ['lm', 'ft']],
      ['lm-bf16 (BF16)', ['lm-bf16']],
    ] as const) {
      migrations.push(
        await migrationBench(
          label,
          folders.flatMap((f) => zooFiles(f)),
          path.join(work, label.split(' ')[0]!),
        ),
      )
    }
    if (json)
      process.stdout.write(
        `${JSON.stringify({ zstd: zstdBackendName(), ingest: result, components, migrations }, null, 2)}\n`,
      )
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

async function migrationBench(label: string, files: string[], repoDir: string) {
  const base = await baselines(files)
  const zstd = runBaseline(`zstd -3 -T1 -q -c ${files.map((f) => `'${f}'`).join(' ')} | wc -c`)
  runPhase(import.meta.url, 'build', [repoDir, ...files])
  const plan = runPhase(import.meta.url, 'dry-run', [repoDir])
  const run = runPhase(import.meta.url, 'migrate', [repoDir])
  const stored = (run.storedBytesAfter as number) / base.rawBytes
  const predictionError =
    (run.storedBytesAfter as number) / (plan.predictedStoredBytes as number) - 1
  const mb = (b: number | null) => (b === null ? 'n/a' : `${(b / 1e6).toFixed(1)} MB`)
  console.log(
    `\nMigrate: ${label}, ${files.length} checkpoints, ${mb(base.rawBytes)} raw tensor bytes, strategy adaptive, threshold 0.9, default batch size`,
  )
  console.log(
    `  stored / raw: coral ${stored.toFixed(3)} | whole-file zstd-3 ${base.wholeFile.toFixed(3)} | byte-grouped zstd-3 ${base.grouped.toFixed(3)} | XOR previous ${base.xorPrevious.toFixed(3)}`,
  )
  console.log(
    `  wall time: migrate ${(run.ms / 1000).toFixed(2)} s, dry run ${(plan.ms / 1000).toFixed(2)} s, zstd -3 -T1 ${(zstd.ms / 1000).toFixed(2)} s (migrate/zstd ${(run.ms / zstd.ms).toFixed(1)})`,
  )
  const phases = Object.entries(run.phaseMs as Record<string, number>)
  console.log(
    `  migrate phases: ${phases.map(([phase, ms]) => `${phase} ${(ms / 1000).toFixed(2)} s`).join(', ')} (each from its first progress event to the next phase's; sketch includes clustering, migrate the cleanup)`,
  )
  console.log(
    `  peak memory: migrate ${mb(run.peakRssBytes)}, dry run ${mb(plan.peakRssBytes)}, zstd ${mb(zstd.peakRssBytes)}`,
  )
  console.log(
    `  dry-run prediction ${mb(plan.predictedStoredBytes as number)} vs result ${mb(run.storedBytesAfter as number)} (${(predictionError * 100).toFixed(2)}%)`,
  )
  console.log(
    `  ${run.clusters} clusters, ${run.clustered} clustered tensors; validation ${run.validationOk ? 'passed' : 'FAILED'} (${run.tensorsChecked} tensor versions read back)`,
  )
  if (!run.validationOk) process.exitCode = 1
  return { label, files: files.length, baselines: base, plan, run, stored, predictionError, zstd }
}

await main()
