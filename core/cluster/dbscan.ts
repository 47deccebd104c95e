/**
 * DBSCAN over sketches, with the radius derived from the threshold.
 *
 * Uses `density-clustering`'s DBSCAN on a precomputed distance matrix: the
 * library is handed points `[i]` and a distance function that reads the
 * matrix, which turns its O(n^2 * dims) neighbour scans into O(n^2) lookups.
 *
 * Distance: the chord length `sqrt(2 (1 - cos))` of the sketches' cosine,
 * which is their Euclidean distance when both are unit vectors (the usual
 * case) and follows the zero-sketch conventions of `vectorCosine` otherwise.
 * Radius: `eps = sqrt(2 (1 - threshold))`, so "within eps" means "sketch
 * cosine >= threshold" (with a 1e-9 slack on the cosine: the library tests
 * `dist < eps` strictly, and treats eps 0 as "unset").
 * minPts is 2 (a point and one neighbour), so clusters are the connected
 * components of the "cosine >= threshold" graph (single linkage: members of
 * a chain may be far apart; the migration engine checks each member against
 * the reference). Noise points become standalone.
 *
 * Cost: O(n^2 * dims) to fill the matrix (n^2 float32: 64 MB at n = 4000),
 * then O(n^2) for DBSCAN. Above `DBSCAN_MATRIX_LIMIT` points the distances
 * are computed on demand instead (no matrix, each pair computed about twice).
 */
import clustering from 'density-clustering'

import { throwIfAborted } from '../errors.js'
import { toClusterResult, type ClusterResult } from './result.js'
import { sketchCosine } from './sketch.js'
import type { Steps } from './steps.js'
import { SIMILARITY_EPSILON } from './vector.js'

/** Largest group clustered from a precomputed distance matrix. */
export const DBSCAN_MATRIX_LIMIT = 4000

/** Options of DBSCAN clustering. */
export interface DbscanOptions {
  /** Minimum sketch cosine between neighbours, 0 to 1. */
  threshold: number
  /** Checked inside the library's run (which cannot yield). */
  signal?: AbortSignal
}

/** The DBSCAN radius for a cosine threshold (Euclidean, on unit sketches). */
export function dbscanEpsilon(threshold: number): number {
  return Math.sqrt(2 * (1 - threshold + SIMILARITY_EPSILON))
}

function chord(a: Float32Array, b: Float32Array): number {
  return Math.sqrt(2 * Math.max(0, 1 - sketchCosine(a, b)))
}

/** DBSCAN with minPts 2 over sketches, as steps (yields while filling the matrix). */
export function* dbscanSteps(
  points: readonly Float32Array[],
  options: DbscanOptions,
): Steps<ClusterResult> {
  const n = points.length
  if (n < 2) {
    return toClusterResult(n, [], 'dbscan')
  }

  // Distances: a matrix when it fits, else computed per pair
  let distance: (p: number[], q: number[]) => number
  if (n <= DBSCAN_MATRIX_LIMIT) {
    const matrix = new Float32Array(n * n)
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const d = chord(points[i]!, points[j]!)
        matrix[i * n + j] = d
        matrix[j * n + i] = d
      }
      yield
    }
    distance = (p, q) => matrix[p[0]! * n + q[0]!]!
  } else {
    distance = (p, q) => (p[0] === q[0] ? 0 : chord(points[p[0]!]!, points[q[0]!]!))
  }

  // The library runs in one synchronous call: check the signal from inside.
  let calls = 0
  const signal = options.signal
  const checked = (p: number[], q: number[]): number => {
    if ((++calls & 0xffff) === 0) {
      throwIfAborted(signal)
    }
    return distance(p, q)
  }
  const dbscan = new clustering.DBSCAN()
  const dataset = points.map((_, i) => [i])
  const clusters = dbscan.run(dataset, dbscanEpsilon(options.threshold), 2, checked)
  return toClusterResult(n, clusters, 'dbscan')
}
