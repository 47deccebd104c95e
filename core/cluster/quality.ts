/**
 * Clustering quality figures and group keys.
 */
import { elementCount, type DType } from '../tensor/dtype.js'
import { formatShape, type Tensor } from '../tensor/tensor.js'
import { cosineSimilarity } from './similarity.js'

/** One cluster to score: its reference and its members. */
export interface ScoredCluster {
  reference: Tensor
  /** Members stored against the reference. The reference itself is skipped if listed. */
  members: readonly Tensor[]
}

/** Quality of a clustering, over every (member, reference) pair. */
export interface ClusterQuality {
  /** Mean full-tensor cosine of members to their reference; 0 when there are none. */
  meanSimilarity: number
  /** Lowest such cosine; 0 when there are none. */
  minSimilarity: number
  /** Members scored. */
  members: number
}

/**
 * Mean full-tensor cosine similarity of clustered members to their reference.
 *
 * A member that is the reference object itself (a medoid) is not counted:
 * its similarity of 1 would flatter the figure. 0 when nothing is clustered.
 */
export function clusterQuality(clusters: readonly ScoredCluster[]): ClusterQuality {
  let sum = 0
  let min = Infinity
  let count = 0
  for (const { reference, members } of clusters) {
    for (const member of members) {
      if (member === reference) {
        continue
      }
      const similarity = cosineSimilarity(member, reference)
      sum += similarity
      min = Math.min(min, similarity)
      count++
    }
  }
  return count === 0
    ? { meanSimilarity: 0, minSimilarity: 0, members: 0 }
    : { meanSimilarity: sum / count, minSimilarity: min, members: count }
}

/** The key of a dtype-and-shape group as users read it, e.g. `F32[128, 64]`. */
export function groupKey(dtype: DType, shape: readonly number[]): string {
  return `${dtype}${formatShape(shape)}`
}

/**
 * Groups items by dtype and shape, largest group first (ties by key).
 *
 * Only tensors of one group can be clustered together: a delta between
 * different shapes or dtypes means nothing.
 */
export function groupByLayout<T>(
  items: readonly T[],
  layoutOf: (item: T) => { dtype: DType; shape: readonly number[] },
): { key: string; dtype: DType; shape: number[]; items: T[] }[] {
  const groups = new Map<string, { key: string; dtype: DType; shape: number[]; items: T[] }>()
  for (const item of items) {
    const { dtype, shape } = layoutOf(item)
    const key = groupKey(dtype, shape)
    let group = groups.get(key)
    if (!group) {
      group = { key, dtype, shape: [...shape], items: [] }
      groups.set(key, group)
    }
    group.items.push(item)
  }
  const bytes = (g: { shape: number[] }): number => elementCount(g.shape) ?? 0
  return [...groups.values()].sort(
    (a, b) => b.items.length - a.items.length || bytes(b) - bytes(a) || a.key.localeCompare(b.key),
  )
}
