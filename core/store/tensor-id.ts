/**
 * Content ids of tensors.
 *
 * A tensor's id is the lowercase hex SHA-256 of a header naming its dtype and
 * shape followed by its raw little-endian bytes. The id never depends on how
 * the tensor is stored, so re-encoding storage (deltas, clustering) never
 * changes the ids that commits hold.
 */
import { createHash } from 'node:crypto'

import type { DType } from '../tensor/dtype.js'
import type { Tensor } from '../tensor/tensor.js'

/** The prefix hashed before the bytes: `coral-tensor/1 <dtype> [<dims>]\n`. */
function idHeader(dtype: DType, shape: readonly number[]): string {
  return `coral-tensor/1 ${dtype} [${shape.join(',')}]\n`
}

/** Computes the content id of a tensor. */
export function tensorId(tensor: Tensor): string {
  return createHash('sha256')
    .update(idHeader(tensor.dtype, tensor.shape))
    .update(tensor.data)
    .digest('hex')
}

/** True when `value` has the form of a content id (64 lowercase hex digits). */
export function isObjectId(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value)
}

/** The first 12 hex digits, for messages and logs. */
export function shortId(id: string): string {
  return id.slice(0, 12)
}
