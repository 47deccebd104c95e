import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { CoralError } from '../errors.js'
import type { DType } from '../tensor/dtype.js'
import { decodeDelta } from './decode-delta.js'
import type { DeltaReference } from './decode-delta.js'
import { H5Reader } from './h5-store.js'
import { float32BitsToHalfBits, halfBitsToNumber } from './numpy-arith.js'

const DIR = path.resolve(import.meta.dirname, '__fixtures__')
const EXPECTED = JSON.parse(
  fs.readFileSync(path.join(DIR, 'filters.expected.json'), 'utf8'),
) as Record<string, { sha256: string }>
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe('decodeDelta', () => {
  let reader: H5Reader
  beforeAll(async () => {
    reader = await H5Reader.open(path.join(DIR, 'filters.h5'))
  })
  afterAll(() => reader.close())

  function reference(name: string, dtype: DType): DeltaReference {
    const raw = reader.read(name)
    return { dtype, shape: raw.shape, bytes: raw.bytes }
  }

  function decode(type: string, dataset: string, ref: DeltaReference, original: DType): Uint8Array {
    const raw = reader.read(dataset)
    return decodeDelta(
      {
        type,
        payload: raw.bytes,
        payloadKind: raw.h5Type,
        payloadItemSize: raw.itemSize,
        metadata: {},
        label: dataset,
      },
      ref,
      original,
    )
  }

  it.each([
    ['xor_float32', 'delta_xor_float32'],
    ['xor_bfloat16', 'delta_xor_bfloat16'],
    ['exponent_mantissa', 'delta_exponent_mantissa'],
    ['sparse', 'delta_sparse'],
  ])('reconstructs %s exactly as numpy does', (type, dataset) => {
    const bytes = decode(type, dataset, reference('delta_ref', 'F32'), 'F32')

    expect(sha256(bytes)).toBe(EXPECTED[dataset]?.sha256)
  })

  it('promotes a float16 reference to float32 and casts the sum back to float16', () => {
    const bytes = decode(
      'float32_raw',
      'delta_float32_raw_f16',
      reference('delta_ref_f16', 'F16'),
      'F16',
    )

    expect(sha256(bytes)).toBe(EXPECTED.delta_float32_raw_f16?.sha256)
  })

  it('adds in float64 for a float64 reference', () => {
    const bytes = decode(
      'float32_raw',
      'delta_float32_raw_f64',
      reference('delta_ref_f64', 'F64'),
      'F64',
    )

    expect(sha256(bytes)).toBe(EXPECTED.delta_float32_raw_f64?.sha256)
  })

  it('refuses PQ deltas and unknown types with Unsupported, and bad payloads with MalformedFile', () => {
    const ref = reference('delta_ref', 'F32')
    const attempt = (type: string, payload: Uint8Array): CoralError => {
      try {
        decodeDelta(
          { type, payload, payloadKind: 'uint', payloadItemSize: 1, metadata: {}, label: 't' },
          ref,
          'F32',
        )
      } catch (error) {
        return error as CoralError
      }
      throw new Error('expected a failure')
    }

    expect(attempt('pq_encoded', new Uint8Array(8)).code).toBe('Unsupported')
    expect(attempt('mystery', new Uint8Array(8)).code).toBe('Unsupported')
    expect(attempt('compressed', new Uint8Array([1, 2, 3])).code).toBe('MalformedFile')
    expect(attempt('xor_float32', new Uint8Array(2)).code).toBe('MalformedFile')
  })
})

describe('float16 conversion', () => {
  it('round-trips every float16 bit pattern through float32', () => {
    const f32 = new Float32Array(1)
    const u32 = new Uint32Array(f32.buffer)
    const wrong: number[] = []
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0) {
        continue // NaNs: covered below
      }
      f32[0] = halfBitsToNumber(bits)
      if (float32BitsToHalfBits(u32[0] as number) !== bits) {
        wrong.push(bits)
      }
    }
    expect(wrong).toEqual([])
  })

  it('keeps NaN payloads when narrowing float32 bits to float16', () => {
    expect(float32BitsToHalfBits(0x7fc00000)).toBe(0x7e00)
    expect(float32BitsToHalfBits(0xffa02000)).toBe(0xfd01)
    expect(float32BitsToHalfBits(0x7f800001)).toBe(0x7c01)
  })

  it('rounds to nearest even, overflows to infinity and keeps tiny values signed', () => {
    const bitsOf = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0] as number

    expect(float32BitsToHalfBits(bitsOf(1 + 2 ** -11))).toBe(0x3c00)
    expect(float32BitsToHalfBits(bitsOf(1 + 3 * 2 ** -11))).toBe(0x3c02)
    expect(float32BitsToHalfBits(bitsOf(65520))).toBe(0x7c00)
    expect(float32BitsToHalfBits(bitsOf(-1e-10))).toBe(0x8000)
    expect(float32BitsToHalfBits(bitsOf(2 ** -25 * 1.5))).toBe(0x0001)
  })
})
