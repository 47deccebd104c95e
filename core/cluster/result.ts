/**
 * The result shape every clustering strategy returns, in canonical order.
 */

/** Which algorithm produced a result. */
export type ClusterStrategy = 'kmeans' | 'hierarchical' | 'dbscan'

/**
 * Clusters over `n` sketches, numbered by position in the input.
 *
 * Only groups of two or more are clusters; every other point is standalone.
 * Members are sorted ascending and clusters are ordered by their first
 * member, so equal partitions compare equal whatever the strategy.
 */
export interface ClusterResult {
  /** `labels[i]` is the index in `clusters` of point i, or -1 when standalone. */
  labels: number[]
  /** Clusters of two or more point indices. */
  clusters: number[][]
  /** Points in no cluster, ascending. */
  standalone: number[]
  /** The strategy that ran. */
  strategy: ClusterStrategy
  /**
   * How a size limit was worked around, or null. `'kmeans-partition'`: the
   * group was too large for hierarchical clustering, so k-means cut it into
   * cells first and hierarchical clustering ran within each cell.
   */
  fallback: 'kmeans-partition' | null
}

/**
 * Builds a canonical `ClusterResult` from any partition of `0..n-1`.
 *
 * `groups` may include singletons and may leave points out; both end up
 * standalone.
 */
export function toClusterResult(
  n: number,
  groups: readonly (readonly number[])[],
  strategy: ClusterStrategy,
  fallback: ClusterResult['fallback'] = null,
): ClusterResult {
  const clusters = groups
    .filter((group) => group.length >= 2)
    .map((group) => [...group].sort((a, b) => a - b))
    .sort((a, b) => a[0]! - b[0]!)
  const labels = new Array<number>(n).fill(-1)
  clusters.forEach((members, c) => {
    for (const i of members) {
      labels[i] = c
    }
  })
  const standalone: number[] = []
  labels.forEach((label, i) => {
    if (label === -1) {
      standalone.push(i)
    }
  })
  return { labels, clusters, standalone, strategy, fallback }
}
