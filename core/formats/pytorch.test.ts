import fs from 'node:fs'
import path from 'node:path'

import { unzipSync, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'

import { listPytorch, readPytorch } from './pytorch.js'
import { FIXTURES, collect, expectCoralError, expectedTensors, tempDir } from './test-helpers.js'

const STATE = path.join(FIXTURES, 'state.pt')

// Rebuilds state.pt with some records replaced (fflate writes them stored).
function patchedState(
  dir: string,
  name: string,
  patch: (files: Record<string, Uint8Array>) => void,
): string {
  const files = unzipSync(fs.readFileSync(STATE))
  patch(files)
  const file = path.join(dir, name)
  fs.writeFileSync(file, zipSync(files, { level: 0 }))
  return file
}

// Replaces the first occurrence of `from` in the pickle with `to` (same length).
function patchPickle(files: Record<string, Uint8Array>, from: string, to: string): void {
  const pkl = Buffer.from(files['state/data.pkl']!)
  const at = pkl.indexOf(from, 0, 'latin1')
  if (at < 0 || from.length !== to.length) throw new Error(`cannot patch ${from}`)
  pkl.write(to, at, 'latin1')
  files['state/data.pkl'] = pkl
}

describe('formats/pytorch', () => {
  it.each(['state.pt', 'nested.pt'])(
    'reads torch-written %s to the bytes torch reports',
    async (fixture) => {
      const expected = expectedTensors(fixture)

      const tensors = await collect(readPytorch(path.join(FIXTURES, fixture)))

      expect(tensors.map((t) => t.name).sort()).toEqual(Object.keys(expected).sort())
      for (const { name, tensor } of tensors) {
        expect(tensor.dtype, name).toBe(expected[name]!.dtype)
        expect(tensor.shape, name).toEqual(expected[name]!.shape)
        expect(Buffer.from(tensor.data).toString('hex'), name).toBe(expected[name]!.hex)
      }
    },
  )

  it('covers f32, f16, bf16, i64, bool, 0-d, empty, special floats and non-contiguous views', async () => {
    const tensors = new Map((await collect(readPytorch(STATE))).map((t) => [t.name, t.tensor]))

    expect(tensors.get('bf16')!.dtype).toBe('BF16')
    expect(tensors.get('scalar')!.shape).toEqual([])
    expect(tensors.get('empty')!.data.length).toBe(0)
    expect([...new Float32Array(tensors.get('view_t')!.data.slice().buffer)].slice(0, 4)).toEqual([
      0, 6, 12, 18,
    ])
    expect([...new Float32Array(tensors.get('view_slice')!.data.slice().buffer)]).toEqual([
      6, 8, 10, 12, 14, 16, 18, 20, 22,
    ])
    expect(Buffer.from(tensors.get('special')!.data).readUInt32LE(4)).toBe(0xffc12345)
  })

  it('lists names, dtypes and shapes without reading data', async () => {
    const listed = await listPytorch(path.join(FIXTURES, 'nested.pt'))

    expect(listed).toEqual([
      { name: 'model.layer.w', info: { dtype: 'F32', shape: [2, 4], byteLength: 32 } },
      { name: 'model.b', info: { dtype: 'F32', shape: [2], byteLength: 8 } },
    ])
  })

  describe('rejects malformed or hostile checkpoints', () => {
    const dir = tempDir()

    it('refuses a pickle global outside the whitelist, naming it', async () => {
      const file = path.join(FIXTURES, 'evil-global.pt')
      const error = await expectCoralError(() => listPytorch(file), 'MalformedFile', file)
      expect(error.message).toContain('refuses to run pickle global posix.system')
    })

    it('refuses a whitelisted-looking but different global', async () => {
      const file = patchedState(dir, 'global.pt', (f) =>
        patchPickle(f, '_rebuild_tensor_v2', '_rebuild_tensor_v3'),
      )
      const error = await expectCoralError(() => listPytorch(file), 'MalformedFile', file)
      expect(error.message).toContain('torch._utils._rebuild_tensor_v3')
    })

    it('a storage record shorter than its element count', async () => {
      const file = patchedState(dir, 'short-storage.pt', (f) => {
        f['state/data/0'] = f['state/data/0']!.subarray(0, 8)
      })
      await expectCoralError(() => listPytorch(file), 'MalformedFile', file)
    })

    it('a missing storage record', async () => {
      const file = patchedState(dir, 'missing.pt', (f) => {
        delete f['state/data/3']
      })
      await expectCoralError(() => listPytorch(file), 'MalformedFile', file)
    })

    it('a truncated pickle', async () => {
      const file = patchedState(dir, 'cut.pt', (f) => {
        f['state/data.pkl'] = f['state/data.pkl']!.subarray(0, 200)
      })
      await expectCoralError(() => listPytorch(file), 'MalformedFile', file)
    })

    it('a zip entry whose size lies', async () => {
      const bytes = Buffer.from(fs.readFileSync(STATE))
      const central = bytes.readUInt32LE(bytes.length - 22 + 16)
      bytes.writeUInt32LE(0xfffffff0, central + 20)
      bytes.writeUInt32LE(0xfffffff0, central + 24)
      const file = path.join(dir, 'lying-zip.pt')
      fs.writeFileSync(file, bytes)
      await expectCoralError(() => listPytorch(file), 'MalformedFile', file)
    })

    it('a legacy (non-zip) checkpoint is Unsupported', async () => {
      const file = path.join(dir, 'legacy.pt')
      fs.writeFileSync(file, Buffer.from([0x80, 0x02, 0x8a, 0x0a]))
      await expectCoralError(() => listPytorch(file), 'Unsupported', file)
    })
  })
})
