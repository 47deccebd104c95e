/**
 * Float math on small dense vectors (sketches and centroids).
 *
 * Everything accumulates in float64 whatever the storage type, so the same
 * inputs give the same result whether a sketch is a `Float32Array` or a
 * plain array.
 */

/** A dense vector: a sketch (`Float32Array`) or a centroid (`number[]`). */
export type Vector = ArrayLike<number>

/** Dot product of two vectors of the same length. */
export function dot(a: Vector, b: Vector): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) {
    sum += a[i]! * b[i]!
  }
  return sum
}

/** Squared Euclidean distance between two vectors of the same length. */
export function squaredDistance(a: Vector, b: Vector): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!
    sum += d * d
  }
  return sum
}

/**
 * Cosine similarity of two vectors, from -1 to 1.
 *
 * Two zero vectors are identical (1); a zero vector and a non-zero one share
 * nothing (0). The same convention holds for full tensors in `similarity.ts`.
 */
export function vectorCosine(a: Vector, b: Vector): number {
  let ab = 0
  let aa = 0
  let bb = 0
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!
    const y = b[i]!
    ab += x * y
    aa += x * x
    bb += y * y
  }
  return cosineFromSums(ab, aa, bb)
}

/**
 * Cosine from a dot product and two squared norms, with the zero conventions.
 *
 * `Math.sqrt(aa * bb)` (not `sqrt(aa) * sqrt(bb)`) makes a vector's cosine
 * with itself exactly 1: in binary floating point `sqrt(x * x) === x`.
 */
export function cosineFromSums(ab: number, aa: number, bb: number): number {
  if (aa === 0 && bb === 0) {
    return 1
  }
  if (aa === 0 || bb === 0) {
    return 0
  }
  const cosine = ab / Math.sqrt(aa * bb)
  return Math.max(-1, Math.min(1, cosine))
}

/**
 * Slack for comparing a similarity with the threshold.
 *
 * A centroid of identical sketches differs from each of them by rounding, so
 * its cosine can be 1 minus a few ulps; without slack threshold 1 would split
 * identical tensors.
 */
export const SIMILARITY_EPSILON = 1e-9
