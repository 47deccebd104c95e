/**
 * Real data: the clustering strategies on the zoo's 12 `lm/` checkpoints.
 *
 * Prints the figures quoted in README.md (sketch throughput, and per strategy
 * and threshold: clusters, members, mean member-to-medoid cosine). Asserts
 * only what must hold whatever the timings.
 */
import fs from 'node:fs'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { isDType } from '../tensor/dtype.js'
import type { Tensor } from '../tensor/tensor.js'
import { pickMedoid } from './reference.js'
import { cosineSimilarity } from './similarity.js'
import { sketchTensor } from './sketch.js'
import { CLUSTER_STRATEGIES, clusterSketches } from './strategy.js'
import { groupByLayout } from './quality.js'

const ZOO = path.resolve(import.meta.dirname, '../../../shared/zoo')

/** Minimal safetensors read for this test (the real reader lives in core/formats). */
function readSafetensors(file: string): { name: string; tensor: Tensor }[] {
  const bytes = fs.readFileSync(file)
  const headerLength = Number(bytes.readBigUInt64LE(0))
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >
  const base = 8 + headerLength
  return Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(
      ([
        name,
        {
          dtype,
          shape,
          data_offsets: [begin, end],
        },
      ]) => {
        if (!isDType(dtype)) throw new Error(`${file}: unexpected dtype ${dtype}`)
        return { name, tensor: { dtype, shape, data: bytes.subarray(base + begin, base + end) } }
      },
    )
}

const hasZoo = fs.existsSync(path.join(ZOO, 'lm'))

describe.skipIf(!hasZoo)('cluster on the zoo lm checkpoints', () => {
  const files = hasZoo
    ? fs
        .readdirSync(path.join(ZOO, 'lm'))
        .filter((f) => f.endsWith('.safetensors'))
        .sort()
    : []
  const entries = files.flatMap((file, step) =>
    readSafetensors(path.join(ZOO, 'lm', file)).map((e) => ({ ...e, step })),
  )

  it('sketches at a measured throughput', () => {
    const bytes = entries.reduce((s, e) => s + e.tensor.data.byteLength, 0)
    let best = 0
    for (let round = 0; round < 3; round++) {
      const start = performance.now()
      for (const e of entries) sketchTensor(e.tensor)
      const seconds = (performance.now() - start) / 1000
      best = Math.max(best, bytes / 1e6 / seconds)
    }
    console.log(
      `sketch throughput: ${best.toFixed(0)} MB/s (F32, ${entries.length} tensors, ${(bytes / 1e6).toFixed(1)} MB, best of 3)`,
    )
    expect(files.length).toBe(12)
  })

  const groups = groupByLayout(entries, (e) => e.tensor).filter((g) => g.shape.length === 2)
  for (const group of groups.slice(0, 2)) {
    it(`clusters ${group.key} (${group.items.length} tensors)`, () => {
      const sketches = group.items.map((e) => sketchTensor(e.tensor))
      const rows: string[] = []
      for (const strategy of CLUSTER_STRATEGIES) {
        for (const threshold of [0.9, 0.95, 0.98]) {
          const start = performance.now()
          const result = clusterSketches(sketches, { strategy, threshold, seed: 0 })
          const ms = performance.now() - start

          // Medoid per cluster, then every member checked on the full tensor
          let members = 0
          let passing = 0
          let sum = 0
          let min = Infinity
          let mixed = 0
          for (const cluster of result.clusters) {
            const tensors = cluster.map((i) => group.items[i]!.tensor)
            const medoid = pickMedoid(tensors, { sketches: cluster.map((i) => sketches[i]!) })
            if (new Set(cluster.map((i) => group.items[i]!.name)).size > 1) mixed++
            cluster.forEach((i, k) => {
              if (k === medoid.index) return
              const cos = cosineSimilarity(tensors[k]!, tensors[medoid.index]!)
              members++
              sum += cos
              min = Math.min(min, cos)
              if (cos >= threshold) passing++
            })
          }
          rows.push(
            [
              strategy.padEnd(12),
              threshold.toFixed(2),
              String(result.clusters.length).padStart(8),
              String(result.clusters.reduce((s, c) => s + c.length, 0)).padStart(9),
              String(passing).padStart(4) + '/' + String(members).padEnd(4),
              (members ? sum / members : 0).toFixed(4).padStart(9),
              (members ? min : 0).toFixed(4).padStart(8),
              String(mixed).padStart(6),
              ms.toFixed(0).padStart(6),
            ].join(' | '),
          )

          // Partition invariants
          const seen = result.clusters
            .flat()
            .concat(result.standalone)
            .sort((a, b) => a - b)
          expect(seen).toEqual(sketches.map((_, i) => i))
        }
      }
      console.log(
        [
          `${group.key}: ${group.items.length} tensors (${new Set(group.items.map((e) => e.name)).size} names x ${files.length} checkpoints)`,
          'strategy     | t    | clusters | clustered | pass/members | mean cos | min cos | mixed | ms',
          ...rows,
        ].join('\n'),
      )
    })
  }
})
