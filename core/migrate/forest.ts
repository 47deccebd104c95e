/**
 * Reference trees inside a cluster, with bounded depth.
 *
 * A star (every member a delta against one reference) makes distant members
 * of a training trajectory pay for their distance. A chain (each checkpoint
 * against the previous one) stores least but makes reads follow long chains.
 * Between the two: a tree rooted at the reference in which each member is a
 * delta against a similar member closer to the root, no deeper than
 * `maxDepth` delta hops, so a read touches at most `maxDepth + 1` objects.
 *
 * Edges are scored by `gain = -log(1 - cos)`, which tracks how many leading
 * bits two values share and so, roughly, how small their XOR compresses.
 * The tree is a depth-limited maximum spanning tree: Prim's algorithm
 * restricted to parents of depth below the limit, then a few rounds of
 * re-parenting each node to a better parent when the depth limit allows.
 * Bytes are measured afterwards by encoding; this only proposes edges.
 */

/** Delta hops from a member to a standalone object, at most. */
export const MAX_PLAN_DEPTH = 3

/** Clusters above this size get a star around the root (no O(n^2) matrix). */
export const TREE_LIMIT = 1024

/** Clusters up to this size get re-parenting rounds after Prim. */
export const REFINE_LIMIT = 160

/** Parent of each node (-1 for the root) and its depth. */
export interface Forest {
  parent: number[]
  depth: number[]
  /** Nodes ordered so every parent precedes its children. */
  order: number[]
}

/** Gain of an edge of cosine `cos`. */
export function edgeGain(cos: number): number {
  return -Math.log(Math.max(1e-12, 1 - Math.min(1, cos)))
}

/**
 * Builds the depth-limited tree over `n` nodes rooted at `root`.
 *
 * `similarity(i, j)` is symmetric; it is called O(n^2) times, so pass a
 * precomputed matrix lookup.
 */
export function buildForest(
  n: number,
  root: number,
  similarity: (i: number, j: number) => number,
  maxDepth = MAX_PLAN_DEPTH,
): Forest {
  const parent = new Array<number>(n).fill(-1)
  const depth = new Array<number>(n).fill(0)
  if (n > TREE_LIMIT || maxDepth <= 1) {
    for (let i = 0; i < n; i++) {
      if (i !== root) {
        parent[i] = root
        depth[i] = 1
      }
    }
    return { parent, depth, order: topoOrder(parent, root) }
  }
  const gain = (i: number, j: number) => edgeGain(similarity(i, j))
  // Prim with a depth limit.
  const inTree = new Uint8Array(n)
  const bestGain = new Float64Array(n).fill(-Infinity)
  const bestParent = new Int32Array(n).fill(-1)
  const attach = (u: number) => {
    inTree[u] = 1
    if (depth[u]! >= maxDepth) {
      return
    }
    for (let v = 0; v < n; v++) {
      if (!inTree[v]) {
        const g = gain(u, v)
        if (g > bestGain[v]!) {
          bestGain[v] = g
          bestParent[v] = u
        }
      }
    }
  }
  attach(root)
  for (let added = 1; added < n; added++) {
    let pick = -1
    for (let v = 0; v < n; v++) {
      if (!inTree[v] && (pick === -1 || bestGain[v]! > bestGain[pick]!)) {
        pick = v
      }
    }
    parent[pick] = bestParent[pick]!
    depth[pick] = depth[bestParent[pick]!]! + 1
    attach(pick)
  }
  // Re-parenting rounds: move a node (with its subtree) under a better parent.
  // O(n^3) per round, so only for clusters of moderate size.
  for (let round = 0; round < (n <= REFINE_LIMIT ? 4 : 0); round++) {
    let moved = false
    for (let v = 0; v < n; v++) {
      const height = subtreeHeights(parent)
      if (v === root) {
        continue
      }
      const current = gain(parent[v]!, v)
      let best = parent[v]!
      let bestG = current
      const sub = subtreeOf(parent, v)
      for (let u = 0; u < n; u++) {
        if (u === v || sub.has(u) || depth[u]! + 1 + height[v]! > maxDepth) {
          continue
        }
        const g = gain(u, v)
        if (g > bestG + 1e-9) {
          bestG = g
          best = u
        }
      }
      if (best !== parent[v]) {
        parent[v] = best
        recomputeDepths(parent, depth, root)
        moved = true
      }
    }
    if (!moved) {
      break
    }
  }
  return { parent, depth, order: topoOrder(parent, root) }
}

function children(parent: readonly number[]): number[][] {
  const out = parent.map(() => [] as number[])
  parent.forEach((p, i) => {
    if (p >= 0) {
      out[p]!.push(i)
    }
  })
  return out
}

function topoOrder(parent: readonly number[], root: number): number[] {
  const kids = children(parent)
  const order = [root]
  for (let i = 0; i < order.length; i++) {
    order.push(...kids[order[i]!]!)
  }
  return order
}

function subtreeOf(parent: readonly number[], v: number): Set<number> {
  const kids = children(parent)
  const out = new Set([v])
  const stack = [v]
  while (stack.length > 0) {
    for (const c of kids[stack.pop()!]!) {
      out.add(c)
      stack.push(c)
    }
  }
  return out
}

/** Height of each node's subtree in edges (0 for a leaf). */
function subtreeHeights(parent: readonly number[]): number[] {
  const height = parent.map(() => 0)
  for (let i = 0; i < parent.length; i++) {
    let h = 0
    for (let p = parent[i]!; p >= 0; p = parent[p]!) {
      h++
      height[p] = Math.max(height[p]!, h)
    }
  }
  return height
}

function recomputeDepths(parent: readonly number[], depth: number[], root: number): void {
  for (const v of topoOrder(parent, root)) {
    depth[v] = v === root ? 0 : depth[parent[v]!]! + 1
  }
}
