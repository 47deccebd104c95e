/**
 * Reconstructs `reference + delta` for every delta type the Python Coral writes.
 *
 * Each decoder follows the payload layout and the numpy arithmetic of
 * coral-py-format §2.2-2.4, so the result equals, bit for bit, what the
 * Python reader returns. That is not necessarily the tensor that was
 * committed: arithmetic deltas are not exact (§2.3), and the true content hash
 * is recorded nowhere, which is why callers report such tensors as
 * 'unverifiable'. PQ deltas need a codebook that was never persisted and are
 * refused with `Unsupported`.
 */
import zlib from 'node:zlib'

import { CoralError } from '../errors.js'
import type { DType } from '../tensor/dtype.js'
import { elementCount } from '../tensor/dtype.js'
import {
  bitsToFloat32,
  float32Bits,
  fromFloat32Bits,
  fromNumbers,
  halfBitsToNumber,
  promoteWithFloat32,
  toNumbers,
} from './numpy-arith.js'

/** The delta types of coral-py-format §2.2. */
export const DELTA_TYPES = [
  'float32_raw',
  'compressed',
  'xor_float32',
  'xor_bfloat16',
  'exponent_mantissa',
  'int8_quantized',
  'int16_quantized',
  'sparse',
  'per_axis_scaled',
  'pq_encoded',
  'pq_lossless',
] as const

/** A delta dataset as read from `/deltas/<hash>`. */
export interface EncodedDelta {
  /** `delta_type` attribute. */
  type: string
  /** Raw payload bytes (little-endian). */
  payload: Uint8Array
  /** numpy dtype of the payload dataset as HDF5 describes it, e.g. `uint8`, `float32`. */
  payloadKind: 'int' | 'uint' | 'float' | 'enum'
  /** Bytes per payload element. */
  payloadItemSize: number
  /** Parsed `metadata` attribute (type-specific keys). */
  metadata: Record<string, unknown>
  /** Where the delta came from, for error messages. */
  label: string
}

/** The reference tensor a delta applies to. */
export interface DeltaReference {
  dtype: DType
  shape: readonly number[]
  bytes: Uint8Array
}

/**
 * Returns the raw bytes (in `originalDtype`) of `reference + delta`.
 *
 * Throws `Unsupported` for PQ or unknown delta types and `MalformedFile` for a
 * payload whose size does not fit the reference.
 */
export function decodeDelta(
  delta: EncodedDelta,
  reference: DeltaReference,
  originalDtype: DType,
): Uint8Array {
  const count = elementCount(reference.shape) ?? 0
  const ref = toNumbers(reference.bytes, reference.dtype)
  switch (delta.type) {
    case 'float32_raw': {
      expectPayload(delta, 'float', 4, count)
      return addFloat32Delta(ref, reference.dtype, floats32(delta.payload), originalDtype)
    }
    case 'compressed': {
      const raw = inflate(delta, delta.payload)
      expectLength(delta, raw.byteLength, count * 4)
      return addFloat32Delta(ref, reference.dtype, floats32(raw), originalDtype)
    }
    case 'xor_float32':
      return decodeXorFloat32(delta, ref, count, originalDtype)
    case 'xor_bfloat16':
      return decodeXorBfloat16(delta, ref, count, originalDtype)
    case 'exponent_mantissa':
      return decodeExponentMantissa(delta, ref, count, originalDtype)
    case 'int8_quantized':
    case 'int16_quantized': {
      const size = delta.type === 'int8_quantized' ? 1 : 2
      expectLength(delta, delta.payload.byteLength, count * size)
      const codes = toNumbers(delta.payload, size === 1 ? 'I8' : 'I16')
      const scale = Math.fround(numberField(delta, 'scale'))
      const offset = Math.fround(numberField(delta, 'offset'))
      // codes.astype(float32) * scale + offset, all in float32.
      const d = new Float64Array(count)
      for (let i = 0; i < count; i++) {
        d[i] = Math.fround(Math.fround((codes[i] as number) * scale) + offset)
      }
      return addFloat32Delta(ref, reference.dtype, d, originalDtype)
    }
    case 'sparse': {
      expectPayload(delta, 'float', 4)
      const pairs = floats32(delta.payload)
      if (pairs.length % 2 !== 0) {
        throw malformed(delta, 'sparse payload is not N x 2')
      }
      const d = new Float64Array(count)
      for (let i = 0; i < pairs.length; i += 2) {
        const index = Math.trunc(pairs[i] as number)
        if (!(index >= 0 && index < count)) {
          throw malformed(delta, `sparse index ${index} is outside ${count} elements`)
        }
        d[index] = pairs[i + 1] as number
      }
      return addFloat32Delta(ref, reference.dtype, d, originalDtype)
    }
    case 'per_axis_scaled':
      return decodePerAxisScaled(delta, reference, ref, count, originalDtype)
    case 'pq_encoded':
    case 'pq_lossless':
      throw new CoralError(
        'Unsupported',
        `${delta.label}: ${delta.type} delta needs a PQ codebook that coral-ml never saved`,
        { deltaType: delta.type },
      )
    default:
      throw new CoralError('Unsupported', `${delta.label}: unknown delta type "${delta.type}"`, {
        deltaType: delta.type,
      })
  }
}

/** `(reference + delta).astype(original)`, with numpy's promotion of reference + float32. */
function addFloat32Delta(
  ref: Float64Array,
  refDtype: DType,
  d: Float64Array,
  originalDtype: DType,
): Uint8Array {
  const compute = promoteWithFloat32(refDtype)
  const out = new Float64Array(ref.length)
  if (compute === 'F32') {
    for (let i = 0; i < ref.length; i++) {
      out[i] = Math.fround(Math.fround(ref[i] as number) + (d[i] as number))
    }
  } else {
    for (let i = 0; i < ref.length; i++) {
      out[i] = (ref[i] as number) + (d[i] as number)
    }
  }
  return fromNumbers(out, compute, originalDtype)
}

/** w = bits(f32(r)) XOR ((A << 23) | B), reinterpreted as float32, then cast. */
function decodeXorFloat32(
  delta: EncodedDelta,
  ref: Float64Array,
  count: number,
  originalDtype: DType,
): Uint8Array {
  const [first, second] = splitTwoStreams(delta)
  expectLength(delta, first.byteLength, count * 2)
  expectLength(delta, second.byteLength, count * 4)
  const signExp = new DataView(first.buffer, first.byteOffset, first.byteLength)
  const mantissa = new DataView(second.buffer, second.byteOffset, second.byteLength)
  const r32 = float32BitsOf(ref)
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) {
    const x =
      ((signExp.getUint16(i * 2, true) & 0x1ff) << 23) |
      (mantissa.getUint32(i * 4, true) & 0x7fffff)
    out[i] = (r32[i] as number) ^ x
  }
  return fromFloat32Bits(out, originalDtype)
}

/** Upper and lower 16-bit halves of the float32 bits, each XORed with the reference's. */
function decodeXorBfloat16(
  delta: EncodedDelta,
  ref: Float64Array,
  count: number,
  originalDtype: DType,
): Uint8Array {
  const [first, second] = splitTwoStreams(delta)
  expectLength(delta, first.byteLength, count * 2)
  expectLength(delta, second.byteLength, count * 2)
  const hi = new DataView(first.buffer, first.byteOffset, first.byteLength)
  const lo = new DataView(second.buffer, second.byteOffset, second.byteLength)
  const r32 = float32BitsOf(ref)
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) {
    const bits = r32[i] as number
    const upper = ((bits >>> 16) ^ hi.getUint16(i * 2, true)) & 0xffff
    const lower = ((bits & 0xffff) ^ lo.getUint16(i * 2, true)) & 0xffff
    out[i] = (upper << 16) | lower
  }
  return fromFloat32Bits(out, originalDtype)
}

/** d rebuilt from packed signs, exponents and mantissas; then f32(r) + d. */
function decodeExponentMantissa(
  delta: EncodedDelta,
  ref: Float64Array,
  count: number,
  originalDtype: DType,
): Uint8Array {
  const p = delta.payload
  if (p.byteLength < 8) {
    throw malformed(delta, 'payload shorter than its two length fields')
  }
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength)
  const signsLength = view.getUint32(0, true)
  const exponentsLength = view.getUint32(4, true)
  if (8 + signsLength + exponentsLength > p.byteLength) {
    throw malformed(delta, 'stream lengths exceed the payload')
  }
  const signs = inflate(delta, p.subarray(8, 8 + signsLength))
  const exponents = inflate(delta, p.subarray(8 + signsLength, 8 + signsLength + exponentsLength))
  const mantissas = inflate(delta, p.subarray(8 + signsLength + exponentsLength))
  expectLength(delta, signs.byteLength, Math.ceil(count / 8))
  expectLength(delta, exponents.byteLength, count)
  expectLength(delta, mantissas.byteLength, count * 4)
  const mantissaView = new DataView(mantissas.buffer, mantissas.byteOffset, mantissas.byteLength)
  const out = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    // np.packbits packs most significant bit first.
    const sign = ((signs[i >> 3] as number) >> (7 - (i & 7))) & 1
    const bits =
      (sign << 31) |
      ((exponents[i] as number) << 23) |
      (mantissaView.getUint32(i * 4, true) & 0x7fffff)
    out[i] = Math.fround(Math.fround(ref[i] as number) + bitsToFloat32(bits))
  }
  return fromNumbers(out, 'F32', originalDtype)
}

/** d[i, j] = sign[i, j] * row[i] * col[j] over a 2-D view (rows = first dimension). */
function decodePerAxisScaled(
  delta: EncodedDelta,
  reference: DeltaReference,
  ref: Float64Array,
  count: number,
  originalDtype: DType,
): Uint8Array {
  const rows = reference.shape.length === 0 ? 1 : (reference.shape[0] as number)
  const cols = rows === 0 ? 0 : count / rows
  const p = delta.payload
  expectLength(delta, p.byteLength, rows * 2 + cols * 2 + Math.ceil(count / 8))
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength)
  const signBase = rows * 2 + cols * 2
  const d = new Float64Array(count)
  // TODO: confirm the float16/float32 order of the scale products against coral-ml's encoder; remove once a real per_axis_scaled sample exists
  for (let i = 0; i < rows; i++) {
    const rowScale = halfBitsToNumber(view.getUint16(i * 2, true))
    for (let j = 0; j < cols; j++) {
      const k = i * cols + j
      const colScale = halfBitsToNumber(view.getUint16(rows * 2 + j * 2, true))
      const positive = ((p[signBase + (k >> 3)] as number) >> (7 - (k & 7))) & 1
      d[k] = Math.fround(Math.fround(rowScale * colScale) * (positive ? 1 : -1))
    }
  }
  return addFloat32Delta(ref, reference.dtype, d, originalDtype)
}

/**
 * float32 bit patterns of the reference (numpy `astype(float32)`).
 *
 * NOTE: a float32 reference's signalling NaNs come back quietened here, because
 * the reference passed through JavaScript numbers.
 */
function float32BitsOf(ref: Float64Array): Uint32Array {
  const out = new Uint32Array(ref.length)
  for (let i = 0; i < ref.length; i++) {
    out[i] = float32Bits(ref[i] as number)
  }
  return out
}

/** Splits `uint32 len(z1) ‖ z1 ‖ z2` and inflates both streams. */
function splitTwoStreams(delta: EncodedDelta): [Uint8Array, Uint8Array] {
  const p = delta.payload
  if (p.byteLength < 4) {
    throw malformed(delta, 'payload shorter than its length field')
  }
  const firstLength = new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0, true)
  if (4 + firstLength > p.byteLength) {
    throw malformed(delta, 'first stream length exceeds the payload')
  }
  return [
    inflate(delta, p.subarray(4, 4 + firstLength)),
    inflate(delta, p.subarray(4 + firstLength)),
  ]
}

function inflate(delta: EncodedDelta, bytes: Uint8Array): Uint8Array {
  try {
    return new Uint8Array(zlib.inflateSync(bytes))
  } catch (error) {
    throw malformed(delta, `zlib stream is corrupt (${(error as Error).message})`)
  }
}

function floats32(bytes: Uint8Array): Float64Array {
  return toNumbers(bytes, 'F32')
}

function expectPayload(
  delta: EncodedDelta,
  kind: EncodedDelta['payloadKind'],
  itemSize: number,
  count?: number,
): void {
  if (delta.payloadKind !== kind || delta.payloadItemSize !== itemSize) {
    throw malformed(
      delta,
      `payload is ${delta.payloadKind}${delta.payloadItemSize * 8}, expected ${kind}${itemSize * 8}`,
    )
  }
  if (count !== undefined) {
    expectLength(delta, delta.payload.byteLength, count * itemSize)
  }
}

function expectLength(delta: EncodedDelta, actual: number, expected: number): void {
  if (actual !== expected) {
    throw malformed(delta, `decoded ${actual} bytes where the reference needs ${expected}`)
  }
}

function numberField(delta: EncodedDelta, key: string): number {
  const value = delta.metadata[key]
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw malformed(delta, `metadata.${key} is missing or not a number`)
  }
  return value
}

function malformed(delta: EncodedDelta, problem: string): CoralError {
  return new CoralError('MalformedFile', `${delta.label}: ${problem}`, { deltaType: delta.type })
}
