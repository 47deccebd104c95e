import type { DType } from './dtype.js'

/**
 * A tensor as Coral stores it: a dtype, a shape and its raw bytes.
 *
 * `data` holds exactly `elementCount(shape) * itemSize(dtype)` bytes in
 * little-endian, C order. Coral never converts values on the storage path,
 * so NaN payloads, -0, infinities and subnormals survive bit for bit.
 */
export interface Tensor {
  readonly dtype: DType
  readonly shape: readonly number[]
  readonly data: Uint8Array
}

/** Describes a tensor without its bytes (what crosses process boundaries). */
export interface TensorInfo {
  readonly dtype: DType
  readonly shape: readonly number[]
  /** Size of the raw data in bytes. */
  readonly byteLength: number
}

/** Formats a shape the way users read it, e.g. `[128, 64]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`
}
