/**
 * The exact stored forms a migration writes, shared by the planner and the
 * writer so that a plan's predicted bytes are the bytes the migration writes.
 */
import { encodeDelta, encodeStandalone, type EncodedObject } from '../codec/tensor-codec.js'
import type { ObjectHeader } from '../store/object-format.js'
import type { Tensor } from '../tensor/tensor.js'

/** Size of an object file for `header` and a payload of `payloadLength` bytes (see object-format.ts). */
export function packedSize(header: ObjectHeader, payloadLength: number): number {
  return 9 + Buffer.byteLength(JSON.stringify(header)) + payloadLength
}

/** Size of the object file of an encoded object. */
export function encodedSize(encoded: EncodedObject): number {
  return packedSize(encoded.header, encoded.payload.length)
}

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
  const encoded = encodeDelta(tensor, base, baseId)
  return { header: { ...encoded.header, similarity, standaloneBytes }, payload: encoded.payload }
}
