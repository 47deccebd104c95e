/**
 * Throughput of the codec's building blocks on real checkpoint bytes, so the
 * cost of a migration can be read against its parts (docs/BENCHMARKS.md).
 * Each block runs over every tensor of two consecutive checkpoints, three
 * times; the fastest pass counts.
 */
import { createHash } from 'node:crypto'

import { joinPlanes, splitPlanes } from '../../core/codec/byte-planes.js'
import { orderedDiff } from '../../core/codec/ordered-diff.js'
import { ensureZstd, zstdCompress, zstdDecompress } from '../../core/codec/zstd.js'
import { readWeightFile } from '../../core/formats/weight-file.js'
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
  await ensureZstd()
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
  const frames = topPlanes.map((plane) => ({ frame: zstdCompress(plane, 1), length: plane.length }))
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
    'zstd-1 compress (WASM), top delta plane': rate(planeBytes, () =>
      topPlanes.forEach((p) => zstdCompress(p, 1)),
    ),
    'zstd decompress (WASM), same planes': rate(planeBytes, () =>
      frames.forEach(({ frame, length }) => zstdDecompress(frame, length)),
    ),
  }
}
