/**
 * Choosing or synthesizing the reference tensor of one cluster.
 *
 * Two kinds of reference (the migration engine keeps whichever encodes
 * smaller): the medoid, a real member most similar to the others, and the
 * element-wise mean, a new tensor of the members' dtype and shape.
 */
import { CoralError } from '../errors.js'
import { itemSize } from '../tensor/dtype.js'
import { formatShape, type Tensor } from '../tensor/tensor.js'
import { encodeBF16, encodeF16, encodeF8E4M3, encodeF8E5M2, roundHalfEven } from './encode.js'
import { cosineSimilarity } from './similarity.js'
import { sketchCosine, sketchTensor, type SketchOptions } from './sketch.js'
import {
  decodeRange,
  DEFAULT_CHUNK_ELEMENTS,
  directElements,
  tensorElementCount,
} from './values.js'

/** Clusters up to this size have their medoid confirmed on full tensors. */
export const MEDOID_FULL_CHECK_LIMIT = 32

/** Sketch-ranked candidates re-scored on full tensors. */
export const MEDOID_CANDIDATES = 3

function checkMembers(members: readonly Tensor[]): number {
  const first = members[0]
  if (first === undefined) {
    throw new CoralError('InvalidArgument', 'a cluster needs at least one member')
  }
  const count = tensorElementCount(first)
  members.forEach((member, i) => {
    const same =
      member.dtype === first.dtype &&
      member.shape.length === first.shape.length &&
      member.shape.every((d, k) => d === first.shape[k])
    if (!same) {
      throw new CoralError(
        'InvalidArgument',
        `cluster member ${i} is ${member.dtype}${formatShape(member.shape)}; member 0 is ${first.dtype}${formatShape(first.shape)}`,
      )
    }
    tensorElementCount(member)
  })
  return count
}

/** The chosen medoid and how it was scored. */
export interface Medoid {
  /** Index of the medoid in `members`. */
  index: number
  /** Summed cosine of the medoid to every other member. */
  score: number
  /** `'full'` when confirmed on full tensors, `'sketch'` when scored on sketches only. */
  basis: 'full' | 'sketch'
}

/** Options of `pickMedoid`. */
export interface MedoidOptions {
  /** Precomputed sketches of the members (same order); computed when absent. */
  sketches?: readonly Float32Array[]
  /** Sketch options when sketches are computed here. */
  sketch?: SketchOptions
  /** Confirm on full tensors up to this many members (default 32). */
  fullCheckLimit?: number
}

/**
 * The member with the largest summed cosine similarity to the others.
 *
 * Scores every member on sketches (O(n^2 * dims)). Up to `fullCheckLimit`
 * members, the best `MEDOID_CANDIDATES` by sketch score are re-scored on
 * full tensors (O(candidates * n) full passes) and the best of those wins.
 * Ties go to the lowest index.
 */
export function pickMedoid(members: readonly Tensor[], options: MedoidOptions = {}): Medoid {
  checkMembers(members)
  const n = members.length
  if (n === 1) {
    return { index: 0, score: 0, basis: 'full' }
  }
  const sketches = options.sketches ?? members.map((m) => sketchTensor(m, options.sketch))
  if (sketches.length !== n) {
    throw new CoralError('InvalidArgument', `got ${sketches.length} sketches for ${n} members`)
  }

  // Score on sketches
  const scores = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = sketchCosine(sketches[i]!, sketches[j]!)
      scores[i] += s
      scores[j] += s
    }
  }
  const ranked = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => scores[b]! - scores[a]! || a - b,
  )
  if (n > (options.fullCheckLimit ?? MEDOID_FULL_CHECK_LIMIT)) {
    return { index: ranked[0]!, score: scores[ranked[0]!]!, basis: 'sketch' }
  }

  // Confirm the leading candidates on full tensors
  let best = { index: -1, score: -Infinity, basis: 'full' as const }
  for (const candidate of ranked.slice(0, MEDOID_CANDIDATES).sort((a, b) => a - b)) {
    let score = 0
    for (let j = 0; j < n; j++) {
      if (j !== candidate) {
        score += cosineSimilarity(members[candidate]!, members[j]!)
      }
    }
    if (score > best.score) {
      best = { index: candidate, score, basis: 'full' }
    }
  }
  return best
}

const INTEGER_RANGES = {
  I8: [-128, 127],
  I16: [-32768, 32767],
  I32: [-2147483648, 2147483647],
  U8: [0, 255],
} as const

/**
 * The element-wise mean of the members, in their dtype, bit-correct.
 *
 * Sums in float64 in chunks (memory: a chunk per member plus the output),
 * divides by n, then rounds once to the dtype, ties to even: F64 as is, F32
 * as `Math.fround` does, F16/BF16/F8 with `encode.ts`. Integers round half to
 * even and clamp to the dtype's range; I64 sums exactly in BigInt. BOOL takes
 * the majority, and member 0's value on a tie. -0 is kept when every member
 * is -0.
 *
 * NaN and ±inf: where any member holds a non-finite value, the mean takes
 * member 0's bytes for that element unchanged (NaN payload included).
 * Deltas against the reference are bitwise, so this costs nothing in
 * correctness and keeps special values stable.
 */
export function meanTensor(
  members: readonly Tensor[],
  chunkElements: number = DEFAULT_CHUNK_ELEMENTS,
): Tensor {
  const total = checkMembers(members)
  const first = members[0]!
  const { dtype } = first
  const n = members.length
  const out = new Uint8Array(first.data.byteLength)
  if (dtype === 'I64') {
    meanI64(members, out)
    return { dtype, shape: [...first.shape], data: out }
  }
  const chunk = Math.max(1, Math.min(chunkElements, total))
  const values = new Float64Array(chunk)
  const sums = new Float64Array(chunk)
  const special = new Uint8Array(chunk)

  for (let start = 0; start < total; start += chunk) {
    const count = Math.min(chunk, total - start)

    // Sum the members (starting at -0 keeps an all -0 column at -0)
    sums.fill(-0)
    special.fill(0)
    for (const member of members) {
      if (!addDirect(member, start, count, sums, special)) {
        decodeRange(member, start, count, values)
        addValues(values, count, sums, special)
      }
    }

    writeMeans(first, n, sums, start, count, out)
    // Where any member is NaN or ±inf, member 0's bytes, unchanged
    const size = itemSize(dtype)
    for (let i = 0; i < count; i++) {
      if (special[i] === 1) {
        const e = (start + i) * size
        out.set(first.data.subarray(e, e + size), e)
      }
    }
  }
  return { dtype, shape: [...first.shape], data: out }
}

/** Adds the finite `values[0..count)` into `sums` and marks the others in `special`. */
function addValues(
  values: ArrayLike<number>,
  count: number,
  sums: Float64Array,
  special: Uint8Array,
): void {
  for (let i = 0; i < count; i++) {
    const v = values[i]!
    if (v - v === 0) {
      sums[i] += v
    } else {
      special[i] = 1
    }
  }
}

/**
 * `addValues` straight from the member's `directElements`, without decoding
 * the chunk into float64 first (the same additions, so the same sums).
 * Returns false, having added nothing, where the member has no direct view.
 */
function addDirect(
  member: Tensor,
  start: number,
  count: number,
  sums: Float64Array,
  special: Uint8Array,
): boolean {
  const direct = directElements(member)
  if (direct?.values) {
    addValues(direct.values.subarray(start, start + count), count, sums, special)
    return true
  }
  if (direct?.bits) {
    const { bits, table } = direct
    for (let i = 0; i < count; i++) {
      const v = table[bits[start + i]!]!
      if (v - v === 0) {
        sums[i] += v
      } else {
        special[i] = 1
      }
    }
    return true
  }
  return false
}

/**
 * Writes `sums[i] / n`, rounded to the dtype, as elements `start + i` of
 * `out` (a fresh, so aligned, buffer), one loop per dtype. Typed-array
 * stores round as `Math.fround` does (ties to even) and are exact for
 * integers in range. They are little-endian: on any other machine the
 * members' `directElements` decline and `decodeRange` refuses with an error.
 */
function writeMeans(
  first: Tensor,
  n: number,
  sums: Float64Array,
  start: number,
  count: number,
  out: Uint8Array,
): void {
  const dtype = first.dtype
  switch (dtype) {
    case 'F64': {
      const target = new Float64Array(out.buffer, start * 8, count)
      for (let i = 0; i < count; i++) target[i] = sums[i]! / n
      return
    }
    case 'F32': {
      const target = new Float32Array(out.buffer, start * 4, count)
      for (let i = 0; i < count; i++) target[i] = sums[i]! / n
      return
    }
    case 'F16':
    case 'BF16': {
      const encode = dtype === 'F16' ? encodeF16 : encodeBF16
      const target = new Uint16Array(out.buffer, start * 2, count)
      for (let i = 0; i < count; i++) target[i] = encode(sums[i]! / n)
      return
    }
    case 'F8_E4M3':
    case 'F8_E5M2': {
      const encode = dtype === 'F8_E4M3' ? encodeF8E4M3 : encodeF8E5M2
      for (let i = 0; i < count; i++) out[start + i] = encode(sums[i]! / n)
      return
    }
    case 'BOOL': {
      // The majority, and member 0's value on a tie.
      for (let i = 0; i < count; i++) {
        const trues = sums[i]!
        const e = start + i
        out[e] = trues * 2 > n ? 1 : trues * 2 < n ? 0 : first.data[e] === 0 ? 0 : 1
      }
      return
    }
    case 'I8':
    case 'I16':
    case 'I32':
    case 'U8': {
      const [low, high] = INTEGER_RANGES[dtype]
      const target =
        dtype === 'I8'
          ? new Int8Array(out.buffer, start, count)
          : dtype === 'I16'
            ? new Int16Array(out.buffer, start * 2, count)
            : dtype === 'I32'
              ? new Int32Array(out.buffer, start * 4, count)
              : out.subarray(start, start + count)
      for (let i = 0; i < count; i++) {
        target[i] = Math.min(high, Math.max(low, roundHalfEven(sums[i]! / n)))
      }
      return
    }
    case 'I64':
      throw new CoralError('Internal', 'I64 means are summed exactly in meanI64')
  }
}

/** I64 mean, exact: BigInt sum, division rounded half to even. */
function meanI64(members: readonly Tensor[], out: Uint8Array): void {
  const n = BigInt(members.length)
  const views = members.map(
    (m) => new DataView(m.data.buffer, m.data.byteOffset, m.data.byteLength),
  )
  const target = new DataView(out.buffer)
  for (let offset = 0; offset < out.byteLength; offset += 8) {
    let sum = 0n
    for (const v of views) {
      sum += v.getBigInt64(offset, true)
    }
    // Floor division, then round the remainder half to even.
    let quotient = sum / n
    let remainder = sum % n
    if (remainder < 0n) {
      quotient -= 1n
      remainder += n
    }
    if (remainder * 2n > n || (remainder * 2n === n && quotient % 2n !== 0n)) {
      quotient += 1n
    }
    target.setBigInt64(offset, quotient, true)
  }
}
