/**
 * Test helpers: tensors with the edge values every dtype must survive.
 */
import { randomBytes } from 'node:crypto'

import { DTYPES, byteLength, type DType } from '../tensor/dtype.js'
import type { Tensor } from '../tensor/tensor.js'

/** Builds a tensor from raw bytes given as numbers. */
export function tensorOf(dtype: DType, shape: number[], bytes: number[] | Uint8Array): Tensor {
  return { dtype, shape, data: Uint8Array.from(bytes) }
}

/**
 * Edge-value bit patterns per dtype (little-endian): NaN with payloads, -0,
 * infinities, subnormals, extremes.
 */
export function edgeValueTensor(dtype: DType): Tensor {
  const patterns: Record<DType, number[][]> = {
    F64: [
      [0, 0, 0, 0, 0, 0, 0xf8, 0x7f], // quiet NaN
      [1, 2, 3, 4, 5, 6, 0xf7, 0x7f], // NaN with payload
      [0, 0, 0, 0, 0, 0, 0, 0x80], // -0
      [0, 0, 0, 0, 0, 0, 0xf0, 0x7f], // +inf
      [0, 0, 0, 0, 0, 0, 0xf0, 0xff], // -inf
      [1, 0, 0, 0, 0, 0, 0, 0], // smallest subnormal
    ],
    F32: [
      [0, 0, 0xc0, 0x7f],
      [0x33, 0x22, 0x81, 0xff], // negative NaN with payload
      [0, 0, 0, 0x80],
      [0, 0, 0x80, 0x7f],
      [0, 0, 0x80, 0xff],
      [1, 0, 0, 0],
    ],
    F16: [
      [0x00, 0x7e],
      [0x01, 0xfd],
      [0x00, 0x80],
      [0x00, 0x7c],
      [0x00, 0xfc],
      [0x01, 0x00],
    ],
    BF16: [
      [0xc0, 0x7f],
      [0x81, 0xff],
      [0x00, 0x80],
      [0x80, 0x7f],
      [0x80, 0xff],
      [0x01, 0x00],
    ],
    F8_E4M3: [[0x7f], [0xff], [0x80], [0x01], [0x7e], [0xfe]],
    F8_E5M2: [[0x7f], [0xfd], [0x80], [0x7c], [0xfc], [0x01]],
    I64: [
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
      [0, 0, 0, 0, 0, 0, 0, 0x80],
      [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0, 0, 0, 0, 0, 0, 0, 0],
      [1, 0, 0, 0, 0, 0, 0, 0],
      [2, 0, 0, 0, 0, 0, 0, 0],
    ],
    I32: [
      [0xff, 0xff, 0xff, 0x7f],
      [0, 0, 0, 0x80],
      [0xff, 0xff, 0xff, 0xff],
      [0, 0, 0, 0],
      [1, 0, 0, 0],
      [7, 0, 0, 0],
    ],
    I16: [
      [0xff, 0x7f],
      [0, 0x80],
      [0xff, 0xff],
      [0, 0],
      [1, 0],
      [9, 0],
    ],
    I8: [[0x7f], [0x80], [0xff], [0], [1], [3]],
    U8: [[0xff], [0], [1], [0x80], [0x7f], [42]],
    BOOL: [[1], [0], [1], [1], [0], [0]],
  }
  const rows = patterns[dtype]
  return { dtype, shape: [2, 3], data: Uint8Array.from(rows.flat()) }
}

/** A random tensor of the given dtype and shape (BOOL bytes are 0 or 1). */
export function randomTensor(dtype: DType, shape: number[]): Tensor {
  const data = new Uint8Array(randomBytes(byteLength(dtype, shape)!))
  if (dtype === 'BOOL') {
    data.forEach((b, i) => (data[i] = b & 1))
  }
  return { dtype, shape, data }
}

/** Every dtype's edge-value tensor plus a 0-d and an empty tensor of each dtype. */
export function allEdgeTensors(): Record<string, Tensor> {
  const out: Record<string, Tensor> = {}
  for (const dtype of DTYPES) {
    out[`edge.${dtype}`] = edgeValueTensor(dtype)
    const scalar = randomTensor(dtype, [])
    out[`scalar.${dtype}`] = scalar
    out[`empty.${dtype}`] = { dtype, shape: [0, 4], data: new Uint8Array(0) }
  }
  return out
}

/** A float32 tensor close to `base`: each element nudged by a relative `noise`. */
export function nudgedF32(
  base: Float32Array,
  noise: number,
  seed: number,
  shape: number[],
): Tensor {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const values = new Float32Array(base.length)
  for (let i = 0; i < base.length; i++) {
    values[i] = base[i]! * (1 + noise * (next() - 0.5))
  }
  return { dtype: 'F32', shape, data: new Uint8Array(values.buffer) }
}
