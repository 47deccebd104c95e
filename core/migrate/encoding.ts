/**
 * The exact stored forms a migration writes, shared by the planner and the
 * writer so that a plan's predicted bytes are the bytes the migration writes.
 */
import { splitPlanes } from '../codec/byte-planes.js'
import { orderedDiff } from '../codec/ordered-diff.js'
import { entropyEstimatePlanes } from '../codec/plane-codec.js'
import {
  deltaHeader,
  encodeDelta,
  encodeStandalone,
  type EncodedObject,
} from '../codec/tensor-codec.js'
import type { ObjectHeader } from '../store/object-format.js'
import { itemSize } from '../tensor/dtype.js'
import type { Tensor } from '../tensor/tensor.js'

/** Size of an object file for `header` and a payload of `payloadLength` bytes (see object-format.ts). */
export function packedSize(header: ObjectHeader, payloadLength: number): number {
  return 9 + Buffer.byteLength(JSON.stringify(header)) + payloadLength
}

/** Size of the object file of an encoded object. */
export function encodedSize(encoded: EncodedObject): number {
  return packedSize(encoded.header, encoded.payload.length)
}

/**
 * zstd level of the deltas a migration (and mixed-mode commits after it)
 * writes; standalone objects keep `add`'s level 1. A migration runs once and
 * its objects are read many times, and zstd decodes every level at the same
 * speed. Measured on the top planes of ../shared/zoo/lm-bf16 with native
 * zstd: deltas saved 7.62 MB at level 1, 7.64 at 3, 7.79 at 7, 7.84 at 9
 * and 7.98 at 12 (at 5x the time of 9). Standalone exponent planes saved the
 * most at level 1 (6.25 MB, against 6.09 at 9), so they stay there.
 */
export const MIGRATION_DELTA_ZSTD_LEVEL = 9

/** The standalone stored form of `tensor`. */
export function standaloneObject(tensor: Tensor): EncodedObject {
  return encodeStandalone(tensor)
}

/**
 * The delta stored form of `tensor` against `base`, with the similarity and
 * standalone size recorded in the header (status and validation read them).
 */
export function deltaObject(
  tensor: Tensor,
  base: Tensor,
  baseId: string,
  similarity: number,
  standaloneBytes: number,
): EncodedObject {
  const encoded = encodeDelta(tensor, base, baseId, MIGRATION_DELTA_ZSTD_LEVEL)
  return { header: { ...encoded.header, similarity, standaloneBytes }, payload: encoded.payload }
}

/** Elements a delta estimate encodes; tensors up to twice this are encoded whole. */
export const ESTIMATE_SAMPLE_ELEMENTS = 4096

/** Evenly spaced blocks the sample is drawn from (zstd needs runs, not single elements). */
const ESTIMATE_BLOCKS = 8

/**
 * The size `deltaObject` would have, estimated by encoding a sample of
 * `ESTIMATE_SAMPLE_ELEMENTS` elements (8 evenly spaced blocks of both
 * tensors) and scaling the payload to the full length. Small tensors are
 * encoded whole and the result says `exact` and carries the encoding. Planners compare candidate
 * trees with this and encode only the chosen one in full.
 */
export function estimatedDeltaBytes(
  tensor: Tensor,
  base: Tensor,
  baseId: string,
  similarity: number,
  standaloneBytes: number,
): { bytes: number; exact: boolean; encoded?: EncodedObject } {
  const size = itemSize(tensor.dtype)
  const count = tensor.data.length / size
  if (count <= 2 * ESTIMATE_SAMPLE_ELEMENTS) {
    const encoded = deltaObject(tensor, base, baseId, similarity, standaloneBytes)
    return { bytes: encodedSize(encoded), exact: true, encoded }
  }
  const block = Math.ceil(ESTIMATE_SAMPLE_ELEMENTS / ESTIMATE_BLOCKS)
  const sample = (data: Uint8Array) => {
    const out = new Uint8Array(block * ESTIMATE_BLOCKS * size)
    for (let b = 0; b < ESTIMATE_BLOCKS; b++) {
      const start = Math.floor((b * (count - block)) / (ESTIMATE_BLOCKS - 1)) * size
      out.set(data.subarray(start, start + block * size), b * block * size)
    }
    return out
  }
  const sampleCount = block * ESTIMATE_BLOCKS
  const planes = splitPlanes(
    orderedDiff(tensor.dtype, sample(tensor.data), sample(base.data)),
    size,
  )
  const payload = entropyEstimatePlanes(planes, size)
  const header = { ...deltaHeader(tensor, baseId), similarity, standaloneBytes }
  return { bytes: packedSize(header, Math.round((payload * count) / sampleCount)), exact: false }
}
