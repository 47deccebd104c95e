/**
 * Cosine similarity and norms over full tensors.
 *
 * This is the check that decides whether a member may be stored against a
 * cluster reference, so it reads every element, in float64, in chunks.
 *
 * Conventions (the same as `vectorCosine` on sketches):
 * - Two all-zero tensors are identical: similarity 1. One all-zero tensor
 *   against a non-zero one: 0. Empty tensors count as all-zero.
 * - An element pair where either value is NaN or ±inf is left out of every
 *   sum (dot product and both norms): such values carry no direction, and
 *   the lossless delta stores them exactly anyway.
 * - A tensor's similarity with an identical tensor is exactly 1.
 */
import { CoralError } from '../errors.js'
import { formatShape, type Tensor } from '../tensor/tensor.js'
import { cosineFromSums } from './vector.js'
import {
  checkChunkElements,
  decodeRange,
  DEFAULT_CHUNK_ELEMENTS,
  directElements,
  tensorElementCount,
} from './values.js'

/** Dot product and squared norms of two tensors (finite element pairs only). */
interface PairSums {
  ab: number
  aa: number
  bb: number
}

function sameLayout(a: Tensor, b: Tensor): boolean {
  return (
    a.dtype === b.dtype &&
    a.shape.length === b.shape.length &&
    a.shape.every((d, i) => d === b.shape[i])
  )
}

function pairSums(
  a: Tensor,
  b: Tensor,
  chunkElements: number,
  scaleA: number,
  scaleB: number,
): PairSums {
  const total = tensorElementCount(a)
  tensorElementCount(b)
  const chunk = Math.min(checkChunkElements(chunkElements), Math.max(total, 1))
  const x = new Float64Array(chunk)
  const y = new Float64Array(chunk)
  let ab = 0
  let aa = 0
  let bb = 0
  for (let start = 0; start < total; start += chunk) {
    const count = Math.min(chunk, total - start)
    decodeRange(a, start, count, x)
    decodeRange(b, start, count, y)
    for (let i = 0; i < count; i++) {
      const u = x[i]! * scaleA
      const v = y[i]! * scaleB
      // u - u is NaN for NaN and ±inf: one test skips every non-finite pair.
      if (u - u === 0 && v - v === 0) {
        ab += u * v
        aa += u * u
        bb += v * v
      }
    }
  }
  return { ab, aa, bb }
}

/**
 * `pairSums` at scale 1 from the tensors' `directElements`: the same sums in
 * the same order (so the same bits), without float64 chunk copies.
 * Undefined where either tensor has no direct view.
 */
function directPairSums(a: Tensor, b: Tensor): PairSums | undefined {
  const x = directElements(a)
  const y = directElements(b)
  if (x?.values && y?.values) {
    return sumsOf(x.values, y.values)
  }
  if (x?.bits && y?.bits) {
    return tableSumsOf(x.bits, y.bits, x.table)
  }
  return undefined
}

function sumsOf(x: Float32Array | Float64Array, y: Float32Array | Float64Array): PairSums {
  let ab = 0
  let aa = 0
  let bb = 0
  for (let i = 0; i < x.length; i++) {
    const u = x[i]!
    const v = y[i]!
    if (u - u === 0 && v - v === 0) {
      ab += u * v
      aa += u * u
      bb += v * v
    }
  }
  return { ab, aa, bb }
}

function tableSumsOf(x: Uint16Array, y: Uint16Array, table: Float64Array): PairSums {
  let ab = 0
  let aa = 0
  let bb = 0
  for (let i = 0; i < x.length; i++) {
    const u = table[x[i]!]!
    const v = table[y[i]!]!
    if (u - u === 0 && v - v === 0) {
      ab += u * v
      aa += u * u
      bb += v * v
    }
  }
  return { ab, aa, bb }
}

/** Largest finite magnitude of a tensor (0 when none). */
function maxAbs(tensor: Tensor, chunkElements: number): number {
  const total = tensorElementCount(tensor)
  const chunk = Math.min(chunkElements, Math.max(total, 1))
  const x = new Float64Array(chunk)
  let max = 0
  for (let start = 0; start < total; start += chunk) {
    const count = Math.min(chunk, total - start)
    decodeRange(tensor, start, count, x)
    for (let i = 0; i < count; i++) {
      const m = Math.abs(x[i]!)
      if (m > max && m !== Infinity) {
        max = m
      }
    }
  }
  return max
}

/**
 * Cosine similarity of two tensors over every element, from -1 to 1.
 *
 * Both must have the same dtype and shape (`InvalidArgument` otherwise).
 * Computed in float64 in chunks of `chunkElements`; see the module notes for
 * zero and non-finite values. Sums that overflow float64 (F64 values beyond
 * about 1e154) are recomputed on values scaled by their maximum magnitude.
 */
export function cosineSimilarity(
  a: Tensor,
  b: Tensor,
  chunkElements: number = DEFAULT_CHUNK_ELEMENTS,
): number {
  if (!sameLayout(a, b)) {
    throw new CoralError(
      'InvalidArgument',
      `cannot compare ${a.dtype}${formatShape(a.shape)} with ${b.dtype}${formatShape(b.shape)}: dtype and shape must match`,
    )
  }
  // Checks that each tensor's byte length matches its shape (the direct path reads the bytes as they are).
  tensorElementCount(a)
  tensorElementCount(b)
  let sums = directPairSums(a, b) ?? pairSums(a, b, chunkElements, 1, 1)
  if (!Number.isFinite(sums.aa) || !Number.isFinite(sums.bb) || !Number.isFinite(sums.ab)) {
    const ma = maxAbs(a, chunkElements)
    const mb = maxAbs(b, chunkElements)
    sums = pairSums(a, b, chunkElements, ma === 0 ? 1 : 1 / ma, mb === 0 ? 1 : 1 / mb)
  }
  return cosineFromSums(sums.ab, sums.aa, sums.bb)
}

/**
 * Euclidean (L2) norm of a tensor's finite values, in float64.
 *
 * NaN and ±inf elements are skipped, as in `cosineSimilarity`.
 */
export function norm(tensor: Tensor, chunkElements: number = DEFAULT_CHUNK_ELEMENTS): number {
  const total = tensorElementCount(tensor)
  const chunk = Math.min(checkChunkElements(chunkElements), Math.max(total, 1))
  const x = new Float64Array(chunk)
  let scale = 1
  for (let pass = 0; pass < 2; pass++) {
    let sum = 0
    for (let start = 0; start < total; start += chunk) {
      const count = Math.min(chunk, total - start)
      decodeRange(tensor, start, count, x)
      for (let i = 0; i < count; i++) {
        const u = x[i]! * scale
        if (u - u === 0) {
          sum += u * u
        }
      }
    }
    if (Number.isFinite(sum)) {
      return Math.sqrt(sum) / scale
    }
    // Overflowed: rescale by the largest magnitude and sum again.
    scale = 1 / maxAbs(tensor, chunk)
  }
  return Infinity
}
