/**
 * A cheap test that a dtype-and-shape group is worth clustering at all.
 *
 * Clustering a group and planning its trees costs the same whether or not
 * any delta ends up smaller than its standalone object. Groups of tiny
 * tensors (biases and norm weights: 128 float32 values in 445 versions on
 * zoo/lm+ft) usually save nothing, because a delta's header names its base
 * and carries more than the few bytes its payload can save, yet planning
 * them took about half a second of each zoo/lm+ft plan.
 *
 * The screen tries each member against its nearest neighbour by sketch
 * cosine, the base a reference tree is most likely to give it, and stops at
 * the first pair that passes the threshold and is smaller as a delta. A
 * group where no member's nearest neighbour pays is left standalone without
 * clustering. That can miss a delta whose best base is not its sketch-nearest
 * member, or is a synthesized mean; on zoo/lm+ft and zoo/lm-bf16 the plans
 * with and without the screen are the same to the byte (docs/CLUSTERING.md).
 */
import { throwIfAborted } from '../errors.js'
import { cosineFromSums } from '../cluster/vector.js'

/**
 * Whether some member is smaller stored as a delta against its sketch-nearest
 * neighbour. `pays(member, base)` measures one such pair (indices into
 * `sketches`). Costs one nearest-neighbour scan (O(n * dims)) and one
 * measurement per member probed, members in order, until one pays: a
 * group where none pays costs O(n^2 * dims), about what one clustering
 * strategy's distance matrix costs.
 */
export async function someNearestNeighbourPays(
  sketches: readonly Float32Array[],
  pays: (member: number, base: number) => Promise<boolean>,
  signal?: AbortSignal,
): Promise<boolean> {
  const n = sketches.length
  // `sketchCosine` from squared norms computed once: each pair needs only its dot product.
  const squaredNorms = sketches.map((s) => dot(s, s))
  for (let i = 0; i < n; i++) {
    throwIfAborted(signal)
    // Starts at another member, so one is tried even if every cosine is NaN.
    let nearest = i === 0 ? 1 : 0
    let nearestCosine = -Infinity
    for (let j = 0; j < n; j++) {
      if (j === i) continue
      const cosine = cosineFromSums(
        dot(sketches[i]!, sketches[j]!),
        squaredNorms[i]!,
        squaredNorms[j]!,
      )
      if (cosine > nearestCosine) {
        nearestCosine = cosine
        nearest = j
      }
    }
    if (nearest < n && (await pays(i, nearest))) {
      return true
    }
  }
  return false
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0
  for (let k = 0; k < a.length; k++) sum += a[k]! * b[k]!
  return sum
}
