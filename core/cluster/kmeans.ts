/**
 * K-means over sketches, with k chosen from the similarity threshold.
 *
 * Lloyd iterations come from `ml-kmeans`; the initial centres are ours
 * (seeded k-means++ here), because the library's own k-means++ copies rows for
 * every candidate and point and is far too slow on 256-wide vectors.
 *
 * Choosing k (the rule): start with k = 1. After each k-means run, every
 * cluster with a member whose sketch cosine to its centroid is below the
 * threshold is "violating". If none is, stop. Otherwise add one centre per
 * violating cluster, at its worst (least similar) member, keep the current
 * centroids as the other centres, and run k-means again with the larger k.
 * k grows by at least one per round and never beyond n, so this ends; it
 * finds a small k without guessing, and splits only where the threshold is
 * broken. Members still below the threshold at the end become standalone.
 * So every member of a returned cluster has sketch cosine >= threshold to
 * its cluster's centroid (not to each other: the migration engine checks
 * the full tensor against the chosen reference).
 *
 * Cost: each round is O(iterations * n * k * dims); rounds are about
 * log2(final k) when clusters split evenly, up to final k in the worst case.
 */
import { kmeansGenerator } from 'ml-kmeans'

import { CoralError } from '../errors.js'
import { createRandom } from './random.js'
import { toClusterResult, type ClusterResult } from './result.js'
import type { Steps } from './steps.js'
import { SIMILARITY_EPSILON, squaredDistance, vectorCosine, type Vector } from './vector.js'

/** Lloyd iterations per k-means run at most. */
export const KMEANS_MAX_ITERATIONS = 100

/**
 * Seeded k-means++ seeding: indices of `k` points chosen as initial centres.
 *
 * The first centre is uniform; each next one is drawn with probability
 * proportional to its squared distance to the nearest chosen centre. When
 * every remaining point coincides with a centre, the lowest unchosen index is
 * taken. O(n * k * dims).
 */
export function kmeansPlusPlus(points: readonly Vector[], k: number, seed: number): number[] {
  const n = points.length
  if (!Number.isSafeInteger(k) || k < 1 || k > n) {
    throw new CoralError('InvalidArgument', `k must be an integer from 1 to ${n}, got ${k}`)
  }
  const random = createRandom(seed)
  const chosen: number[] = [Math.floor(random() * n)]
  const isChosen = new Uint8Array(n)
  isChosen[chosen[0]!] = 1
  const nearest = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    nearest[i] = squaredDistance(points[i]!, points[chosen[0]!]!)
  }
  while (chosen.length < k) {
    let total = 0
    for (let i = 0; i < n; i++) {
      total += nearest[i]!
    }
    let next = -1
    if (total > 0) {
      let target = random() * total
      for (let i = 0; i < n; i++) {
        target -= nearest[i]!
        if (target < 0 && nearest[i]! > 0) {
          next = i
          break
        }
      }
      // Rounding can leave the target a hair above zero: take the last candidate.
      if (next === -1) {
        for (let i = n - 1; i >= 0; i--) {
          if (nearest[i]! > 0) {
            next = i
            break
          }
        }
      }
    } else {
      next = isChosen.indexOf(0)
    }
    chosen.push(next)
    isChosen[next] = 1
    for (let i = 0; i < n; i++) {
      nearest[i] = Math.min(nearest[i]!, squaredDistance(points[i]!, points[next]!))
    }
  }
  return chosen
}

/** The outcome of one k-means run. */
export interface KmeansRun {
  /** Cluster index (0..k-1) of each point. */
  assignments: number[]
  /** Final centres; an empty cluster keeps its previous centre. */
  centroids: number[][]
}

/**
 * One k-means run from given centres, yielding after every Lloyd iteration.
 *
 * `data` is the points as plain arrays (what ml-kmeans expects).
 */
export function* kmeansRunSteps(
  data: number[][],
  centers: number[][],
  seed: number,
): Steps<KmeansRun> {
  let last: KmeansRun = { assignments: data.map(() => 0), centroids: centers }
  for (const step of kmeansGenerator(data, centers.length, {
    initialization: centers,
    seed,
    maxIterations: KMEANS_MAX_ITERATIONS,
  })) {
    last = { assignments: step.clusters, centroids: step.centroids }
    yield
  }
  return last
}

/** Options of threshold-driven k-means. */
export interface KmeansClusterOptions {
  /** Minimum sketch cosine of a member to its centroid, 0 to 1. */
  threshold: number
  /** Seed of the k-means++ seeding (default 0). */
  seed?: number
}

/**
 * Threshold-driven k-means (the rule is in the module notes), as steps.
 *
 * `points` are L2-normalised sketches of equal length.
 */
export function* kmeansSteps(
  points: readonly Float32Array[],
  options: KmeansClusterOptions,
): Steps<ClusterResult> {
  const n = points.length
  const seed = options.seed ?? 0
  const minimum = options.threshold - SIMILARITY_EPSILON
  if (n < 2) {
    return toClusterResult(n, [], 'kmeans')
  }
  const data = points.map((p) => Array.from(p))
  let centers = kmeansPlusPlus(points, 1, seed).map((i) => data[i]!)

  for (;;) {
    const run = yield* kmeansRunSteps(data, centers, seed)

    // Find each cluster's least similar member
    const worst = new Array<number>(centers.length).fill(-1)
    const worstCosine = new Float64Array(centers.length).fill(Infinity)
    const cosines = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      const c = run.assignments[i]!
      cosines[i] = vectorCosine(points[i]!, run.centroids[c]!)
      if (cosines[i]! < worstCosine[c]!) {
        worstCosine[c] = cosines[i]!
        worst[c] = i
      }
    }
    const violating = worst.filter((i, c) => i !== -1 && worstCosine[c]! < minimum)
    yield

    // Split violating clusters at their worst member, or finish
    if (violating.length === 0 || run.centroids.length >= n) {
      const groups: number[][] = run.centroids.map(() => [])
      for (let i = 0; i < n; i++) {
        if (cosines[i]! >= minimum) {
          groups[run.assignments[i]!]!.push(i)
        }
      }
      return toClusterResult(n, groups, 'kmeans')
    }
    const room = n - run.centroids.length
    centers = [...run.centroids, ...violating.slice(0, room).map((i) => data[i]!)]
  }
}

/**
 * Plain k-means with a fixed k and seeded k-means++ seeding, as steps.
 *
 * Used to partition groups too large for hierarchical clustering. Returns
 * the cluster index of each point.
 */
export function* fixedKmeansSteps(
  points: readonly Float32Array[],
  k: number,
  seed: number,
): Steps<number[]> {
  const data = points.map((p) => Array.from(p))
  const centers = kmeansPlusPlus(points, k, seed).map((i) => data[i]!)
  const run = yield* kmeansRunSteps(data, centers, seed)
  return run.assignments
}
