/**
 * Migration benchmark: one commit per checkpoint, then `cluster migrate`,
 * beside baselines computed in the same run with the same zstd build:
 * whole-file zstd 3, byte-grouped zstd 3 per tensor, and XOR against the same
 * tensor of the previous checkpoint (byte-grouped, zstd 3).
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'

import { splitPlanes, xorBytes } from '../../core/codec/byte-planes.js'
import { ensureZstd, zstdCompress } from '../../core/codec/zstd.js'
import { readWeightFile } from '../../core/formats/weight-file.js'
import { dryRun, migrate } from '../../core/migrate/migrate.js'
import { Repository } from '../../core/repo/repository.js'
import { itemSize } from '../../core/tensor/dtype.js'
import type { Tensor } from '../../core/tensor/tensor.js'
import { reportPhase } from './measure.js'

/** Stored/raw of the three baselines over `files` (history order). */
export async function baselines(
  files: string[],
): Promise<{ rawBytes: number; wholeFile: number; grouped: number; xorPrevious: number }> {
  await ensureZstd()
  let rawBytes = 0
  let wholeFile = 0
  let grouped = 0
  let xorPrevious = 0
  let previous = new Map<string, Tensor>()
  for (const file of files) {
    wholeFile += zstdCompress(readFileSync(file), 3).length
    const current = new Map<string, Tensor>()
    for await (const { name, tensor } of readWeightFile(file)) {
      const size = itemSize(tensor.dtype)
      rawBytes += tensor.data.length
      const planes = zstdCompress(splitPlanes(tensor.data, size), 3).length
      grouped += planes
      const before = previous.get(name)
      xorPrevious +=
        before && before.data.length === tensor.data.length
          ? zstdCompress(splitPlanes(xorBytes(tensor.data, before.data), size), 3).length
          : planes
      current.set(name, tensor)
    }
    previous = current
  }
  return {
    rawBytes,
    wholeFile: wholeFile / rawBytes,
    grouped: grouped / rawBytes,
    xorPrevious: xorPrevious / rawBytes,
  }
}

/** Child phase: builds the repository (not timed here; the ingest bench times that). */
export async function buildPhase(repoDir: string, files: string[]): Promise<void> {
  const repo = await Repository.init(repoDir)
  for (const file of files) {
    const entries: [string, Tensor][] = []
    for await (const { name, tensor } of readWeightFile(file)) entries.push([name, tensor])
    await repo.stageWeights(entries)
    await repo.commit(path.basename(file))
  }
  reportPhase({ ms: 0, storedBytes: await repo.objects.totalBytes() })
}

/** Child phase: dry run (timed), or migrate (timed, with its validation). */
export async function migratePhase(repoDir: string, which: 'dry-run' | 'migrate'): Promise<void> {
  const repo = await Repository.open(repoDir)
  const options = { strategy: 'adaptive' as const, threshold: 0.9 }
  const started = performance.now()
  if (which === 'dry-run') {
    const plan = await dryRun(repo, options)
    reportPhase({
      ms: performance.now() - started,
      predictedStoredBytes: plan.predictedStoredBytes,
      errorBound: plan.prediction.errorBound,
    })
  } else {
    // Where the time goes: each progress phase from its first event to the next phase's.
    const phaseStarts: [string, number][] = []
    const report = await migrate(repo, options, {
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (phaseStarts.at(-1)?.[0] !== p.phase)
          phaseStarts.push([p.phase, performance.now() - started])
      },
    })
    const ms = performance.now() - started
    const phaseMs = Object.fromEntries(
      phaseStarts.map(([phase, at], i) => [
        phase,
        Math.round((phaseStarts[i + 1]?.[1] ?? ms) - at),
      ]),
    )
    reportPhase({
      ms,
      phaseMs,
      storedBytesBefore: report.storedBytesBefore,
      storedBytesAfter: report.storedBytesAfter,
      clusters: report.clustersCreated,
      clustered: report.clusteredTensors,
      validationOk: report.validation.ok,
      tensorsChecked: report.validation.tensorsChecked,
    })
  }
}
