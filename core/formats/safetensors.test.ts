import fs from 'node:fs'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { DTYPES, byteLength, type DType } from '../tensor/dtype.js'
import type { Tensor } from '../tensor/tensor.js'
import { listSafetensors, readSafetensors, writeSafetensors } from './safetensors.js'
import { collect, expectCoralError, tempDir } from './test-helpers.js'

const ZOO = path.resolve(import.meta.dirname, '../../../shared/zoo/lm/base-step0030.safetensors')

// Bit patterns a float conversion would destroy, per item size.
const TRICKY: Record<number, number[][]> = {
  1: [[0x00], [0x80], [0x7f], [0xff], [0x01]],
  2: [
    [0x01, 0x7e],
    [0x00, 0x80],
    [0x00, 0x7c],
    [0x01, 0x00],
    [0xff, 0xff],
  ],
  4: [
    [0x01, 0x00, 0xc0, 0x7f],
    [0x00, 0x00, 0x00, 0x80],
    [0x00, 0x00, 0x80, 0xff],
    [0x01, 0x00, 0x00, 0x00],
    [0x45, 0x23, 0xc1, 0xff],
  ],
  8: [
    [1, 0, 0, 0, 0, 0, 0xf8, 0x7f],
    [0, 0, 0, 0, 0, 0, 0, 0x80],
    [0, 0, 0, 0, 0, 0, 0xf0, 0x7f],
    [1, 0, 0, 0, 0, 0, 0, 0],
    [0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01],
  ],
}

function trickyTensor(dtype: DType, shape: number[]): Tensor {
  const size = byteLength(dtype, shape)!
  const item = byteLength(dtype, [1])!
  const data = new Uint8Array(size)
  for (let i = 0; i < size / item; i++) {
    data.set(TRICKY[item]![i % 5]!, i * item)
  }
  return { dtype, shape, data }
}

function headerOf(file: string): Record<string, unknown> {
  const bytes = fs.readFileSync(file)
  const length = Number(bytes.readBigUInt64LE(0))
  return JSON.parse(bytes.subarray(8, 8 + length).toString('utf8'))
}

// Builds a safetensors file by hand from a header object and a data section.
function rawFile(
  dir: string,
  header: unknown,
  data = new Uint8Array(0),
  name = 'model.safetensors',
): string {
  const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header))
  const head = Buffer.alloc(8)
  head.writeBigUInt64LE(BigInt(json.length))
  const file = path.join(dir, name)
  fs.writeFileSync(file, Buffer.concat([head, json, data]))
  return file
}

describe('formats/safetensors', () => {
  it('round-trips every dtype, 0-d and empty tensors bit for bit', async () => {
    const dir = tempDir()
    const file = path.join(dir, 'all.safetensors')
    const tensors: [string, Tensor][] = []
    for (const dtype of DTYPES) {
      tensors.push([`${dtype}.matrix`, trickyTensor(dtype, [3, 5])])
      tensors.push([`${dtype}.scalar`, trickyTensor(dtype, [])])
      tensors.push([`${dtype}.empty`, trickyTensor(dtype, [0, 4])])
    }

    await writeSafetensors(file, tensors, { source: 'test' })
    const read = await collect(readSafetensors(file))

    expect(read.map((r) => r.name).sort()).toEqual(tensors.map(([name]) => name).sort())
    for (const [name, tensor] of tensors) {
      const got = read.find((r) => r.name === name)!.tensor
      expect(got.dtype).toBe(tensor.dtype)
      expect(got.shape).toEqual(tensor.shape)
      expect(Buffer.from(got.data).equals(Buffer.from(tensor.data)), name).toBe(true)
    }
    expect(fs.readdirSync(dir)).toEqual(['all.safetensors'])
  })

  it('writes sorted names, contiguous data and an 8-byte aligned, space-padded header', async () => {
    const file = path.join(tempDir(), 'w.safetensors')

    await writeSafetensors(file, [
      ['b', trickyTensor('F32', [3])],
      ['a', trickyTensor('I8', [1])],
    ])

    const bytes = fs.readFileSync(file)
    const length = Number(bytes.readBigUInt64LE(0))
    expect(length % 8).toBe(0)
    expect(bytes.subarray(8, 8 + length).toString('latin1')).toMatch(/^\{.*\} *$/)
    const header = headerOf(file)
    expect(header['a']).toEqual({ dtype: 'I8', shape: [1], data_offsets: [0, 1] })
    expect(header['b']).toEqual({ dtype: 'F32', shape: [3], data_offsets: [1, 13] })
    expect(bytes.length).toBe(8 + length + 13)
  })

  it('leaves no file and no temporary behind when a write is rejected', async () => {
    const dir = tempDir()
    const file = path.join(dir, 'bad.safetensors')

    await expectCoralError(
      () => writeSafetensors(file, [['w', { dtype: 'F32', shape: [2], data: new Uint8Array(7) }]]),
      'InvalidArgument',
      file,
    )

    expect(fs.readdirSync(dir)).toEqual([])
  })

  it('reads the zoo checkpoint: 54 tensors whose bytes fill the file exactly', async () => {
    const listed = await listSafetensors(ZOO)
    let total = 0
    for await (const { tensor } of readSafetensors(ZOO)) {
      total += tensor.data.length
    }

    const headerLength = Number(fs.readFileSync(ZOO).readBigUInt64LE(0))
    expect(listed).toHaveLength(54)
    expect(8 + headerLength + total).toBe(fs.statSync(ZOO).size)
  })

  describe('rejects malformed files', () => {
    const dir = tempDir()
    const w = { dtype: 'F32', shape: [2], data_offsets: [0, 8] }

    it('truncated before the header length', async () => {
      const file = path.join(dir, 'short.safetensors')
      fs.writeFileSync(file, Buffer.from([1, 2, 3]))
      await expectCoralError(() => listSafetensors(file), 'MalformedFile', file)
    })

    it('header length beyond the file', async () => {
      const file = path.join(dir, 'lying.safetensors')
      const head = Buffer.alloc(16)
      head.writeBigUInt64LE(9n)
      fs.writeFileSync(file, head)
      await expectCoralError(() => listSafetensors(file), 'MalformedFile', file)
    })

    it('a header claiming terabytes', async () => {
      const file = path.join(dir, 'huge.safetensors')
      const head = Buffer.alloc(64)
      head.writeBigUInt64LE(2n ** 42n)
      fs.writeFileSync(file, head)
      const error = await expectCoralError(() => listSafetensors(file), 'MalformedFile', file)
      expect(error.message).toContain('exceeds the limit')
    })

    it('bad JSON and invalid UTF-8', async () => {
      const json = rawFile(dir, '{"w": ', new Uint8Array(0), 'json.safetensors')
      await expectCoralError(() => listSafetensors(json), 'MalformedFile', json)
      const utf = path.join(dir, 'utf.safetensors')
      fs.writeFileSync(
        utf,
        Buffer.concat([
          Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]),
          Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
        ]),
      )
      await expectCoralError(() => listSafetensors(utf), 'MalformedFile', utf)
    })

    it('an unknown dtype is Unsupported, a non-string dtype Malformed', async () => {
      const file = rawFile(
        dir,
        { w: { ...w, dtype: 'U16' } },
        new Uint8Array(8),
        'dtype.safetensors',
      )
      await expectCoralError(() => listSafetensors(file), 'Unsupported', file)
      const file2 = rawFile(dir, { w: { ...w, dtype: 4 } }, new Uint8Array(8), 'dtype2.safetensors')
      await expectCoralError(() => listSafetensors(file2), 'MalformedFile', file2)
    })

    it('offsets past the data section, with the documented message', async () => {
      const file = rawFile(
        dir,
        { w: { ...w, shape: [24], data_offsets: [0, 96] } },
        new Uint8Array(64),
        'model.safetensors',
      )
      const error = await expectCoralError(() => listSafetensors(file), 'MalformedFile', file)
      expect(error.message).toBe(
        `${file}: tensor "w" data_offsets [0, 96] exceed the data section (64 bytes)`,
      )
    })

    it('a byte span that does not match dtype and shape', async () => {
      const file = rawFile(
        dir,
        { w: { ...w, data_offsets: [0, 4] } },
        new Uint8Array(8),
        'span.safetensors',
      )
      await expectCoralError(() => listSafetensors(file), 'MalformedFile', file)
    })

    it('overlapping ranges', async () => {
      const file = rawFile(
        dir,
        { a: w, b: { ...w, data_offsets: [4, 12] } },
        new Uint8Array(12),
        'overlap.safetensors',
      )
      const error = await expectCoralError(() => listSafetensors(file), 'MalformedFile', file)
      expect(error.message).toContain('overlap')
    })

    it('negative, fractional or huge shapes', async () => {
      for (const shape of [[-1], [1.5], [2 ** 40, 2 ** 40], 'x']) {
        const file = rawFile(dir, { w: { ...w, shape } }, new Uint8Array(8), 'shape.safetensors')
        await expectCoralError(() => listSafetensors(file), 'MalformedFile', file)
      }
    })

    it('bad metadata and bad names', async () => {
      const meta = rawFile(dir, { __metadata__: { a: 1 } }, new Uint8Array(0), 'meta.safetensors')
      await expectCoralError(() => listSafetensors(meta), 'MalformedFile', meta)
      for (const name of ['', 'a\u0000b', 'x'.repeat(1025)]) {
        const file = rawFile(dir, { [name]: w }, new Uint8Array(8), 'names.safetensors')
        await expectCoralError(() => listSafetensors(file), 'MalformedFile', file)
      }
    })

    it('a JSON array instead of an object', async () => {
      const file = rawFile(dir, [1, 2], new Uint8Array(0), 'array.safetensors')
      await expectCoralError(() => listSafetensors(file), 'MalformedFile', file)
    })
  })
})
