/**
 * Agglomerative (hierarchical) clustering of sketches, cut at the threshold.
 *
 * Linkage works on sketch cosine similarity:
 * - `complete` (default): the similarity of two clusters is the least
 *   similar pair across them. Cutting at the threshold guarantees every pair
 *   in a cluster, and so every member and the medoid, has sketch cosine >=
 *   threshold: what the migration engine then checks on full tensors.
 * - `average` (UPGMA): the mean pairwise similarity. Larger clusters, no
 *   pairwise guarantee.
 * Both are reducible, so the nearest-neighbour-chain algorithm builds the
 * exact dendrogram in O(n^2) time and O(n^2) memory (a float64 matrix:
 * 32 MB at n = 2000). Merges are not produced in height order, but linkage
 * similarity never increases up the tree, so "apply every merge whose
 * similarity is >= threshold" is the cut. `buildDendrogram` once and
 * `cutDendrogram` many times serves a threshold slider.
 *
 * Groups larger than `HIERARCHICAL_LIMIT` (default 2000) fall back to
 * `'kmeans-partition'`: fixed-k k-means (k = ceil(n / (limit / 2)), seeded
 * k-means++) splits the group into cells, cells still above the limit are
 * split again the same way (or by index if k-means cannot split them), and
 * hierarchical clustering runs within each cell. Tensors in different cells
 * never share a cluster.
 */
import { CoralError } from '../errors.js'
import { fixedKmeansSteps } from './kmeans.js'
import { toClusterResult, type ClusterResult } from './result.js'
import { sketchCosine } from './sketch.js'
import type { Steps } from './steps.js'
import { SIMILARITY_EPSILON } from './vector.js'

/** Largest group clustered in one piece; above it, the k-means partition fallback. */
export const HIERARCHICAL_LIMIT = 2000

/** How the similarity of two clusters is derived from their members'. */
export type Linkage = 'complete' | 'average'

/** One merge of the dendrogram. */
export interface Merge {
  /** A point of the first cluster merged. */
  a: number
  /** A point of the second cluster merged. */
  b: number
  /** Linkage similarity at which they merged (sketch cosine, -1 to 1). */
  similarity: number
  /** Points in the merged cluster. */
  size: number
}

/** The n - 1 merges of a complete agglomerative clustering of n points. */
export interface Dendrogram {
  n: number
  linkage: Linkage
  merges: Merge[]
}

/**
 * Builds the full dendrogram of `points` with the nearest-neighbour chain.
 *
 * Ties go to the previous chain element, then to the lowest index, so the
 * result is deterministic. Yields after every merge. O(n^2) time and memory.
 */
export function* dendrogramSteps(
  points: readonly Float32Array[],
  linkage: Linkage = 'complete',
): Steps<Dendrogram> {
  const n = points.length
  const merges: Merge[] = []
  if (n < 2) {
    return { n, linkage, merges }
  }

  // Pairwise sketch similarities
  const sim = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = sketchCosine(points[i]!, points[j]!)
      sim[i * n + j] = s
      sim[j * n + i] = s
    }
    if (i % 64 === 63) {
      yield
    }
  }

  // Nearest-neighbour chain; a cluster lives in the slot of one of its points
  const active = new Uint8Array(n).fill(1)
  const size = new Int32Array(n).fill(1)
  const chain: number[] = []
  let remaining = n
  while (remaining > 1) {
    if (chain.length === 0) {
      chain.push(active.indexOf(1))
    }
    const top = chain[chain.length - 1]!
    const previous = chain.length > 1 ? chain[chain.length - 2]! : -1
    let best = previous
    let bestSim = previous === -1 ? -Infinity : sim[top * n + previous]!
    for (let k = 0; k < n; k++) {
      if (active[k] === 1 && k !== top && sim[top * n + k]! > bestSim) {
        best = k
        bestSim = sim[top * n + k]!
      }
    }
    if (best !== previous) {
      chain.push(best)
      continue
    }

    // top and previous are reciprocal nearest neighbours: merge them
    chain.length -= 2
    const keep = Math.min(top, previous)
    const drop = Math.max(top, previous)
    const sizeKeep = size[keep]!
    const sizeDrop = size[drop]!
    for (let k = 0; k < n; k++) {
      if (active[k] === 1 && k !== keep && k !== drop) {
        const sk = sim[keep * n + k]!
        const sd = sim[drop * n + k]!
        const merged =
          linkage === 'complete'
            ? Math.min(sk, sd)
            : (sizeKeep * sk + sizeDrop * sd) / (sizeKeep + sizeDrop)
        sim[keep * n + k] = merged
        sim[k * n + keep] = merged
      }
    }
    active[drop] = 0
    size[keep] = sizeKeep + sizeDrop
    remaining--
    merges.push({ a: keep, b: drop, similarity: bestSim, size: sizeKeep + sizeDrop })
    yield
  }
  return { n, linkage, merges }
}

/**
 * Cuts a dendrogram: the groups joined by merges of similarity >= threshold.
 *
 * Returns groups of point indices, singletons included.
 */
export function cutDendrogram(dendrogram: Dendrogram, threshold: number): number[][] {
  const parent = Array.from({ length: dendrogram.n }, (_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!
      i = parent[i]!
    }
    return i
  }
  for (const merge of dendrogram.merges) {
    if (merge.similarity >= threshold - SIMILARITY_EPSILON) {
      const ra = find(merge.a)
      const rb = find(merge.b)
      parent[Math.max(ra, rb)] = Math.min(ra, rb)
    }
  }
  const groups = new Map<number, number[]>()
  for (let i = 0; i < dendrogram.n; i++) {
    const root = find(i)
    const group = groups.get(root)
    if (group) {
      group.push(i)
    } else {
      groups.set(root, [i])
    }
  }
  return [...groups.values()]
}

/** Options of hierarchical clustering. */
export interface HierarchicalOptions {
  /** Minimum linkage similarity inside a cluster, 0 to 1. */
  threshold: number
  /** Linkage (default `'complete'`). */
  linkage?: Linkage
  /** Largest group clustered in one piece (default `HIERARCHICAL_LIMIT`, at least 2). */
  limit?: number
  /** Seed of the k-means partition fallback (default 0). */
  seed?: number
}

/** Splits `indices` into cells of at most `limit` points with fixed-k k-means. */
function* partitionSteps(
  points: readonly Float32Array[],
  indices: number[],
  limit: number,
  seed: number,
): Steps<number[][]> {
  if (indices.length <= limit) {
    return [indices]
  }
  const k = Math.ceil(indices.length / Math.floor(limit / 2))
  const assignments = yield* fixedKmeansSteps(
    indices.map((i) => points[i]!),
    k,
    seed,
  )
  const cells: number[][] = Array.from({ length: k }, () => [])
  assignments.forEach((c, j) => cells[c]!.push(indices[j]!))
  const nonEmpty = cells.filter((cell) => cell.length > 0)
  const out: number[][] = []
  for (const cell of nonEmpty) {
    if (cell.length <= limit) {
      out.push(cell)
    } else if (nonEmpty.length === 1) {
      // k-means could not split it (near-identical points): cut by index.
      for (let s = 0; s < cell.length; s += limit) {
        out.push(cell.slice(s, s + limit))
      }
    } else {
      out.push(...(yield* partitionSteps(points, cell, limit, seed + 1)))
    }
  }
  return out
}

/** Hierarchical clustering cut at the threshold, with the partition fallback, as steps. */
export function* hierarchicalSteps(
  points: readonly Float32Array[],
  options: HierarchicalOptions,
): Steps<ClusterResult> {
  const n = points.length
  const limit = options.limit ?? HIERARCHICAL_LIMIT
  if (!Number.isSafeInteger(limit) || limit < 2) {
    throw new CoralError(
      'InvalidArgument',
      `hierarchical limit must be an integer >= 2, got ${limit}`,
    )
  }
  const linkage = options.linkage ?? 'complete'
  const all = Array.from({ length: n }, (_, i) => i)
  const cells = n > limit ? yield* partitionSteps(points, all, limit, options.seed ?? 0) : [all]
  const groups: number[][] = []
  for (const cell of cells) {
    const dendrogram = yield* dendrogramSteps(
      cell.map((i) => points[i]!),
      linkage,
    )
    for (const group of cutDendrogram(dendrogram, options.threshold)) {
      groups.push(group.map((j) => cell[j]!))
    }
  }
  return toClusterResult(n, groups, 'hierarchical', n > limit ? 'kmeans-partition' : null)
}
