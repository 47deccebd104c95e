/**
 * Throughput of the codec's building blocks on real checkpoint bytes, so the
 * cost of a migration can be read against its parts (docs/BENCHMARKS.md).
 * Each block runs over every tensor of two consecutive checkpoints, three
 * times; the fastest pass counts.
 */
import { createHash } from 'node:crypto'

import { joinPlanes, splitPlanes } from '../../core/codec/byte-planes.js'
import { orderedDiff } from '../../core/codec/ordered-diff.js'
import { loadZstdBackend, type ZstdBackend } from '../../core/codec/zstd.js'
import { readWeightFile } from '../../core/formats/weight-file.js'
import { MIGRATION_DELTA_ZSTD_LEVEL } from '../../core/migrate/encoding.js'
import { itemSize } from '../../core/tensor/dtype.js'
import type { Tensor } from '../../core/tensor/tensor.js'

/** Megabytes of input per second, per block. */
export type ComponentRates = Record<string, number>

async function tensorsOf(file: string): Promise<Map<string, Tensor>> {
  const out = new Map<string, Tensor>()
  for await (const { name, tensor } of readWeightFile(file)) out.set(name, tensor)
  return out
}

/** Rates over the tensors of `previous` and `current` (same names and shapes). */
export async function componentRates(previous: string, current: string): Promise<ComponentRates> {
  const before = await tensorsOf(previous)
  const pairs = [...(await tensorsOf(current))].flatMap(([name, t]) => {
    const b = before.get(name)
    return b && b.data.length === t.data.length ? [{ t, b, size: itemSize(t.dtype) }] : []
  })
  const bytes = pairs.reduce((sum, p) => sum + p.t.data.length, 0)
  // The top plane of each delta: the one zstd compresses (the others are near-random).
  const topPlanes = pairs.map(({ t, b, size }) => {
    const planes = splitPlanes(orderedDiff(t.dtype, t.data, b.data), size)
    return planes.subarray(planes.length - planes.length / size)
  })
  const planeBytes = topPlanes.reduce((sum, p) => sum + p.length, 0)
  const rate = (inputBytes: number, work: () => void) => {
    let best = Infinity
    for (let pass = 0; pass < 3; pass++) {
      const started = performance.now()
      work()
      best = Math.min(best, performance.now() - started)
    }
    return inputBytes / 1e6 / (best / 1000)
  }
  return {
    'sha256 (tensor id)': rate(bytes, () =>
      pairs.forEach(({ t }) => createHash('sha256').update(t.data).digest()),
    ),
    'ordered difference': rate(bytes, () =>
      pairs.forEach(({ t, b }) => orderedDiff(t.dtype, t.data, b.data)),
    ),
    'split into planes': rate(bytes, () =>
      pairs.forEach(({ t, size }) => splitPlanes(t.data, size)),
    ),
    'join planes': rate(bytes, () => pairs.forEach(({ t, size }) => joinPlanes(t.data, size))),
    ...(await zstdRates(await loadZstdBackend('native'), topPlanes, planeBytes, rate)),
    ...(await zstdRates(await loadZstdBackend('wasm'), topPlanes, planeBytes, rate)),
  }
}

/** zstd at the levels Coral uses (1 for `add`, the migration's), and decoding; nothing when `backend` is missing. */
async function zstdRates(
  backend: ZstdBackend | undefined,
  planes: Uint8Array[],
  planeBytes: number,
  rate: (inputBytes: number, work: () => void) => number,
): Promise<ComponentRates> {
  if (backend === undefined) return {}
  const frames = planes.map((plane) => backend.compress(plane, 1))
  const name = backend.name
  return {
    [`zstd-1 compress (${name}), top delta plane`]: rate(planeBytes, () =>
      planes.forEach((p) => backend.compress(p, 1)),
    ),
    [`zstd-${MIGRATION_DELTA_ZSTD_LEVEL} compress (${name}), same planes`]: rate(planeBytes, () =>
      planes.forEach((p) => backend.compress(p, MIGRATION_DELTA_ZSTD_LEVEL)),
    ),
    [`zstd decompress (${name}), same planes`]: rate(planeBytes, () =>
      frames.forEach((frame, i) =>
        backend.decompressInto(frame, new Uint8Array(planes[i]!.length)),
      ),
    ),
  }
}
