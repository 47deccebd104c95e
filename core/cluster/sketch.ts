/**
 * Fixed-size sketches of tensors, so clustering costs the same for any size.
 *
 * A sketch is a seeded sparse random projection (a "count sketch"): element
 * `i` is added, with a sign of ±1, into one of `dims` buckets, both derived
 * from a cheap integer hash of `i` and the seed. Being linear, the
 * projection preserves inner products in expectation, and the distance of
 * two nearby tensors up to a relative error of about `sqrt(2 / dims)`. The
 * sketch is L2-normalised, so the Euclidean distance between two sketches
 * tracks the cosine distance of their tensors: `|s - t|^2 = 2 (1 - cos)`.
 *
 * Tensors with at most `dims` elements use their own values, zero-padded,
 * then normalised: exact, and no worse than a projection.
 *
 * NaN and ±inf elements are skipped (as in `similarity.ts`). An all-zero
 * tensor has an all-zero sketch.
 *
 * No per-element random state: the hash of the index alone decides bucket
 * and sign, so sketches can be built in any chunk order, in parallel, and the
 * same tensor always has the same sketch for a seed.
 */
import { CoralError } from '../errors.js'
import type { Tensor } from '../tensor/tensor.js'
import { cosineFromSums } from './vector.js'
import { DEFAULT_CHUNK_ELEMENTS, forEachValueChunk, tensorElementCount } from './values.js'

/** Dimensions of a sketch unless told otherwise. */
export const DEFAULT_SKETCH_DIMS = 256

/** Options of a sketch. Tensors are comparable only with the same dims and seed. */
export interface SketchOptions {
  /** Sketch length, 1 to 65536 (default 256). */
  dims?: number
  /** Seed of the projection (default 0). */
  seed?: number
  /** Elements decoded per chunk (default 65536). */
  chunkElements?: number
}

/** murmur3's 32-bit finaliser: a cheap bijective mix of all input bits. */
function mix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h | 0
}

const TWO_TO_32 = 4294967296

/**
 * Builds one sketch from a stream of values.
 *
 * Feed chunks in any order with `add(values, start)` (element `start` is
 * `values[0]`), then call `finish()` once. Lets a caller sketch a tensor
 * straight from file chunks without holding it whole.
 */
export class SketchBuilder {
  /** Sketch length. */
  readonly dims: number
  /** Elements in the sketched tensor. */
  readonly elementCount: number
  private readonly seed: number
  private readonly direct: boolean
  private readonly sums: Float64Array
  private finished = false

  constructor(elementCount: number, options: SketchOptions = {}) {
    const dims = options.dims ?? DEFAULT_SKETCH_DIMS
    if (!Number.isSafeInteger(dims) || dims < 1 || dims > 65536) {
      throw new CoralError(
        'InvalidArgument',
        `sketch dims must be an integer from 1 to 65536, got ${dims}`,
      )
    }
    if (!Number.isSafeInteger(elementCount) || elementCount < 0) {
      throw new CoralError(
        'InvalidArgument',
        `element count must be a non-negative integer, got ${elementCount}`,
      )
    }
    this.dims = dims
    this.elementCount = elementCount
    this.seed = mix32((options.seed ?? 0) ^ 0x9e3779b9)
    this.direct = elementCount <= dims
    this.sums = new Float64Array(dims)
  }

  /** Adds `values`, the elements `start .. start + values.length - 1` of the tensor. */
  add(values: ArrayLike<number>, start: number): void {
    const count = values.length
    if (
      this.finished ||
      !Number.isSafeInteger(start) ||
      start < 0 ||
      start + count > this.elementCount
    ) {
      throw new CoralError(
        'InvalidArgument',
        `sketch chunk ${start}+${count} is outside a tensor of ${this.elementCount} elements (or the sketch is finished)`,
      )
    }
    const sums = this.sums
    if (this.direct) {
      for (let i = 0; i < count; i++) {
        const v = values[i]!
        sums[start + i] = v - v === 0 ? v : 0
      }
      return
    }
    const dims = this.dims
    const isPowerOfTwo = (dims & (dims - 1)) === 0
    const mask = dims - 1
    let i = 0
    while (i < count) {
      // Indices share a high word within each 2^32 block; its mix is the key.
      const index = start + i
      const high = Math.floor(index / TWO_TO_32)
      const key = high === 0 ? this.seed : mix32(this.seed ^ mix32(high))
      const end = Math.min(count, i + (TWO_TO_32 - (index % TWO_TO_32)))
      let low = index % TWO_TO_32
      if (isPowerOfTwo) {
        // The hot loop: hash, bucket by mask, signed add; non-finite values skipped.
        for (; i < end; i++, low++) {
          const v = values[i]!
          if (v - v === 0) {
            const h = mix32(low ^ key)
            sums[h & mask]! += h < 0 ? -v : v
          }
        }
      } else {
        for (; i < end; i++, low++) {
          const v = values[i]!
          if (v - v === 0) {
            const h = mix32(low ^ key)
            sums[(h >>> 0) % dims]! += h < 0 ? -v : v
          }
        }
      }
    }
  }

  /** The L2-normalised sketch (all zeros for an all-zero tensor). */
  finish(): Float32Array {
    this.finished = true
    let squares = 0
    for (let i = 0; i < this.dims; i++) {
      squares += this.sums[i]! * this.sums[i]!
    }
    const out = new Float32Array(this.dims)
    if (squares === 0) {
      return out
    }
    let scale = 1 / Math.sqrt(squares)
    if (!Number.isFinite(squares)) {
      // Huge F64 values overflowed the sum of squares; normalise by the max first.
      let max = 0
      for (const s of this.sums) {
        max = Math.max(max, Math.abs(s))
      }
      let scaled = 0
      for (const s of this.sums) {
        scaled += (s / max) ** 2
      }
      scale = 1 / (max * Math.sqrt(scaled))
    }
    for (let i = 0; i < this.dims; i++) {
      out[i] = this.sums[i]! * scale
    }
    return out
  }
}

/**
 * The sketch of one tensor (see the module notes), read in chunks.
 *
 * Tensors of any dtype; only tensors sketched with the same `dims` and `seed`
 * are comparable.
 */
export function sketchTensor(tensor: Tensor, options: SketchOptions = {}): Float32Array {
  const builder = new SketchBuilder(tensorElementCount(tensor), options)
  forEachValueChunk(tensor, options.chunkElements ?? DEFAULT_CHUNK_ELEMENTS, (values, start) =>
    builder.add(values, start),
  )
  return builder.finish()
}

/** Cosine similarity of two sketches (1 for two zero sketches, 0 for one). */
export function sketchCosine(a: Float32Array, b: Float32Array): number {
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
