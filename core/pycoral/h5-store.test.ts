import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { CoralError } from '../errors.js'
import { H5Reader, loadH5wasm } from './h5-store.js'

const FIXTURE = path.resolve(import.meta.dirname, '__fixtures__', 'filters.h5')
const EXPECTED = JSON.parse(
  fs.readFileSync(
    path.resolve(import.meta.dirname, '__fixtures__', 'filters.expected.json'),
    'utf8',
  ),
) as Record<string, { sha256: string; shape: number[] }>

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

function readError(reader: H5Reader, name: string): CoralError {
  try {
    reader.read(name)
  } catch (error) {
    return error as CoralError
  }
  throw new Error(`expected reading ${name} to fail`)
}

describe('H5Reader', () => {
  let reader: H5Reader
  beforeAll(async () => {
    reader = await H5Reader.open(FIXTURE)
  })
  afterAll(() => reader.close())

  it('reads an LZF dataset written by h5py bit-exactly, or refuses it as Unsupported', async () => {
    const { lzf } = await loadH5wasm()

    if (lzf) {
      const raw = reader.read('lzf_f32')
      expect(sha256(raw.bytes)).toBe(EXPECTED.lzf_f32?.sha256)
      expect(raw.shape).toEqual([64, 64])
    } else {
      expect(readError(reader, 'lzf_f32').code).toBe('Unsupported')
    }
    // The plugin ships with h5wasm-plugins 0.2.1 and passes its self-test here.
    expect(lzf).toBe(true)
  })

  it('reads gzip with shuffle and fletcher32', () => {
    const raw = reader.read('gzip_shuffle_fletcher_f32')

    expect(sha256(raw.bytes)).toBe(EXPECTED.gzip_shuffle_fletcher_f32?.sha256)
  })

  it('refuses scaleoffset and an unknown filter id with Unsupported', () => {
    const scaleoffset = readError(reader, 'scaleoffset_i32')
    const unknown = readError(reader, 'unknown_filter_f32')

    expect(scaleoffset).toBeInstanceOf(CoralError)
    expect(scaleoffset.code).toBe('Unsupported')
    expect(scaleoffset.message).toContain('id 6')
    expect(unknown.code).toBe('Unsupported')
    expect(unknown.message).toContain('32999')
  })

  it.each(['float16', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool', 'empty_f32'])(
    'reads dtype_%s as raw bytes without conversion',
    (dtype) => {
      const raw = reader.read(`dtype_${dtype}`)

      expect(sha256(raw.bytes)).toBe(EXPECTED[`dtype_${dtype}`]?.sha256)
      expect(raw.shape).toEqual(EXPECTED[`dtype_${dtype}`]?.shape)
    },
  )

  it('raises NotFound for a missing dataset and MalformedFile for a non-HDF5 file', async () => {
    const missing = readError(reader, 'no/such/dataset')
    let opened: CoralError | undefined
    try {
      await H5Reader.open(
        path.resolve(import.meta.dirname, '__fixtures__', 'filters.expected.json'),
      )
    } catch (error) {
      opened = error as CoralError
    }

    expect(missing.code).toBe('NotFound')
    expect(opened?.code).toBe('MalformedFile')
  })
})
