/**
 * Encoding of tensor bytes into stored payloads, and back.
 *
 * - `planes-zstd`: byte planes, each zstd-compressed when that pays
 *   (plane-codec.ts). The standalone encoding.
 * - `diff-planes-zstd`: the ordered integer difference of each element's bit
 *   pattern from a base tensor's (ordered-diff.ts), then the same planes. The
 *   delta encoding new objects get. Lossless for every dtype because it works
 *   on bit patterns, never on values.
 * - `xor-planes-zstd`: XOR with a base tensor's bytes, then the same planes.
 *   Read for objects written before `diff-planes-zstd`; no longer written.
 * - `raw`: the bytes themselves, used when compression would not shrink them.
 *
 * Callers never keep an encoding larger than the standalone one.
 */
import { CoralError } from '../errors.js'
import { itemSize } from '../tensor/dtype.js'
import type { Tensor } from '../tensor/tensor.js'
import type { ObjectHeader } from '../store/object-format.js'
import { xorBytes } from './byte-planes.js'
import { orderedDiffPlanes, undoOrderedDiffPlanes } from './ordered-diff.js'
import { decodePlanes, decodeSplitPlanes, encodePlanes, encodeSplitPlanes } from './plane-codec.js'

/** A header and payload ready to pack into an object file. */
export interface EncodedObject {
  header: ObjectHeader
  payload: Uint8Array
}

/** The standalone encoding: byte-planes + zstd, or raw when that is not smaller. */
export function encodeStandalone(tensor: Tensor, level?: number): EncodedObject {
  const base = { dtype: tensor.dtype, shape: [...tensor.shape], length: tensor.data.length }
  const compressed = encodePlanes(tensor.data, itemSize(tensor.dtype), level)
  if (compressed.length < tensor.data.length) {
    return { header: { ...base, codec: 'planes-zstd' }, payload: compressed }
  }
  return { header: { ...base, codec: 'raw' }, payload: tensor.data }
}

/** The header of a delta of `tensor` against `baseId`. */
export function deltaHeader(tensor: Tensor, baseId: string): ObjectHeader {
  return {
    dtype: tensor.dtype,
    shape: [...tensor.shape],
    length: tensor.data.length,
    codec: 'diff-planes-zstd',
    base: baseId,
  }
}

/** The delta encoding against `base` (same dtype and shape), identified by `baseId`. */
export function encodeDelta(
  tensor: Tensor,
  base: Tensor,
  baseId: string,
  level?: number,
): EncodedObject {
  if (tensor.dtype !== base.dtype || tensor.data.length !== base.data.length) {
    throw new CoralError('Internal', 'A delta needs a base of the same dtype and shape')
  }
  return {
    header: deltaHeader(tensor, baseId),
    payload: encodeSplitPlanes(
      orderedDiffPlanes(tensor.dtype, tensor.data, base.data),
      itemSize(tensor.dtype),
      level,
    ),
  }
}

/**
 * Decodes a payload back to raw tensor bytes.
 *
 * `loadBase` supplies the base tensor of a delta; it is only called for
 * delta codecs.
 */
export async function decodePayload(
  header: ObjectHeader,
  payload: Uint8Array,
  loadBase: (id: string) => Promise<Tensor>,
): Promise<Uint8Array> {
  const size = itemSize(header.dtype)
  switch (header.codec) {
    case 'raw':
      if (payload.length !== header.length) {
        throw new CoralError(
          'ObjectCorrupt',
          `raw payload is ${payload.length} bytes, expected ${header.length}`,
        )
      }
      return payload
    case 'planes-zstd':
      return decodePlanes(payload, header.length, size)
    case 'diff-planes-zstd':
    case 'xor-planes-zstd': {
      const base = await loadBase(header.base!)
      if (base.data.length !== header.length || base.dtype !== header.dtype) {
        throw new CoralError(
          'ObjectCorrupt',
          'delta base has a different dtype or size than the delta',
        )
      }
      if (header.codec === 'xor-planes-zstd') {
        return xorBytes(decodePlanes(payload, header.length, size), base.data)
      }
      const planes = decodeSplitPlanes(payload, header.length, size)
      return undoOrderedDiffPlanes(header.dtype, planes, base.data)
    }
  }
}
