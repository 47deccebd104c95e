import fs from 'node:fs'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { DTYPES, byteLength, type DType } from '../tensor/dtype.js'
import { decodeNpy, encodeNpy, listNpy, readNpy } from './npy.js'
import { FIXTURES, expectCoralError, expectedTensors, tempDir } from './test-helpers.js'

const NUMPY_FIXTURES = [
  'f32',
  'f64-fortran',
  'i32-big',
  'f16',
  'i64',
  'i16',
  'i8',
  'u8',
  'bool',
  'scalar',
  'empty',
  'v2',
]

// Writes a .npy with a hand-made header dict and `dataBytes` zero bytes of data.
function npyWith(
  dir: string,
  dict: string,
  dataBytes: number,
  name = 'arr.npy',
  version = 1,
): string {
  const text = Buffer.from(`${dict}\n`, 'latin1')
  const prefix = Buffer.alloc(version === 1 ? 10 : 12)
  prefix.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0])
  if (version === 1) prefix.writeUInt16LE(text.length, 8)
  else prefix.writeUInt32LE(text.length, 8)
  const file = path.join(dir, name)
  fs.writeFileSync(file, Buffer.concat([prefix, text, Buffer.alloc(dataBytes)]))
  return file
}

describe('formats/npy', () => {
  it.each(NUMPY_FIXTURES)('reads NumPy-written %s.npy to the bytes NumPy reports', async (name) => {
    const expected = expectedTensors(`${name}.npy`)[name]!

    const tensor = await readNpy(path.join(FIXTURES, `${name}.npy`))

    expect(tensor.dtype).toBe(expected.dtype)
    expect(tensor.shape).toEqual(expected.shape)
    expect(Buffer.from(tensor.data).toString('hex')).toBe(expected.hex)
  })

  it('transposes Fortran order and byte-swaps big-endian data', async () => {
    const fortran = await readNpy(path.join(FIXTURES, 'f64-fortran.npy'))
    const big = await readNpy(path.join(FIXTURES, 'i32-big.npy'))

    expect([...new Float64Array(fortran.data.slice().buffer)]).toEqual([0, 1, 2, 3, 4, 5])
    expect([...new Int32Array(big.data.slice().buffer)]).toEqual([1, -2, 70000])
  })

  it('round-trips every dtype NumPy can hold, bit for bit', () => {
    for (const dtype of DTYPES.filter((d): d is DType => d !== 'BF16' && !d.startsWith('F8'))) {
      for (const shape of [[2, 3], [], [0, 2]]) {
        const data = new Uint8Array(byteLength(dtype, shape)!).map(
          (_, i) => (i * 113 + 0x7f) & 0xff,
        )

        const back = decodeNpy('x.npy', encodeNpy({ dtype, shape, data }))

        expect(back.dtype).toBe(dtype)
        expect(back.shape).toEqual(shape)
        expect(Buffer.from(back.data).equals(Buffer.from(data))).toBe(true)
      }
    }
  })

  it('lists without reading data', async () => {
    expect(await listNpy(path.join(FIXTURES, 'f32.npy'))).toEqual({
      dtype: 'F32',
      shape: [2, 3],
      byteLength: 24,
    })
  })

  describe('rejects malformed files', () => {
    const dir = tempDir()

    it('unsupported dtypes: u16 from NumPy, complex, object, structured', async () => {
      const u16 = path.join(FIXTURES, 'u16.npy')
      await expectCoralError(() => readNpy(u16), 'Unsupported', u16)
      for (const descr of ["'<c8'", "'|O'", "'<u4'", "[('a', '<f4')]"]) {
        const file = npyWith(dir, `{'descr': ${descr}, 'fortran_order': False, 'shape': (1,), }`, 8)
        await expectCoralError(() => readNpy(file), 'Unsupported', file)
      }
    })

    it('bad magic and truncation', async () => {
      const magic = path.join(dir, 'magic.npy')
      fs.writeFileSync(magic, Buffer.from('NUMPY not really'))
      await expectCoralError(() => readNpy(magic), 'MalformedFile', magic)
      const good = fs.readFileSync(path.join(FIXTURES, 'f32.npy'))
      for (const cut of [3, 11, 60, good.length - 1]) {
        const file = path.join(dir, `cut${cut}.npy`)
        fs.writeFileSync(file, good.subarray(0, cut))
        await expectCoralError(() => readNpy(file), 'MalformedFile', file)
      }
    })

    it('a header length that lies', async () => {
      const file = npyWith(
        dir,
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
        4,
        'v2.npy',
        2,
      )
      const bytes = fs.readFileSync(file)
      bytes.writeUInt32LE(0xfffffff0, 8)
      fs.writeFileSync(file, bytes)
      await expectCoralError(() => readNpy(file), 'MalformedFile', file)
    })

    it('data shorter or longer than the shape needs', async () => {
      const short = npyWith(
        dir,
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
        8,
        'short.npy',
      )
      await expectCoralError(() => readNpy(short), 'MalformedFile', short)
      const long = npyWith(
        dir,
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
        8,
        'long.npy',
      )
      await expectCoralError(() => readNpy(long), 'MalformedFile', long)
    })

    it.each([
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1), }",
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }",
      "{'descr': '<f4', 'shape': (1,), }",
      "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), '__import__': 1}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999,), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } trailing",
      "__import__('os').system('true')",
    ])('a header dict the strict parser refuses: %s', async (dict) => {
      const file = npyWith(dir, dict, 4, 'dict.npy')
      await expectCoralError(() => readNpy(file), 'MalformedFile', file)
    })
  })
})
