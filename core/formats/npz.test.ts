import fs from 'node:fs'
import path from 'node:path'

import { zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'

import { encodeNpy } from './npy.js'
import { listNpz, readNpz } from './npz.js'
import { FIXTURES, collect, expectCoralError, expectedTensors, tempDir } from './test-helpers.js'

const npy = encodeNpy({ dtype: 'F32', shape: [4], data: new Uint8Array(16).fill(7) })

// Offset of the first central-directory record of a zip.
function centralOffset(zip: Uint8Array): number {
  const view = Buffer.from(zip)
  return view.readUInt32LE(view.length - 22 + 16)
}

describe('formats/npz', () => {
  it.each(['stored.npz', 'deflated.npz'])(
    'reads NumPy-written %s to the expected bytes',
    async (fixture) => {
      const expected = expectedTensors(fixture)
      const file = path.join(FIXTURES, fixture)

      const tensors = await collect(readNpz(file))
      const listed = await listNpz(file)

      expect(tensors.map((t) => t.name).sort()).toEqual(Object.keys(expected).sort())
      for (const { name, tensor } of tensors) {
        expect(tensor.dtype).toBe(expected[name]!.dtype)
        expect(tensor.shape).toEqual(expected[name]!.shape)
        expect(Buffer.from(tensor.data).toString('hex')).toBe(expected[name]!.hex)
      }
      expect(listed.map((l) => l.name)).toEqual(tensors.map((t) => t.name))
    },
  )

  describe('rejects malformed archives', () => {
    const dir = tempDir()
    const write = (name: string, bytes: Uint8Array): string => {
      const file = path.join(dir, name)
      fs.writeFileSync(file, bytes)
      return file
    }

    it('a deflated member whose declared size lies', async () => {
      const zip = zipSync({ 'w.npy': npy }, { level: 6 })
      const at = centralOffset(zip)
      for (const size of [8, 0xfffffff0]) {
        const bad = Buffer.from(zip)
        bad.writeUInt32LE(size, at + 24)
        const file = write(`size${size}.npz`, bad)
        await expectCoralError(() => collect(readNpz(file)), 'MalformedFile', file)
      }
    })

    it('a stored member whose compressed size lies', async () => {
      const zip = Buffer.from(zipSync({ 'w.npy': npy }, { level: 0 }))
      zip.writeUInt32LE(0x7fffffff, centralOffset(zip) + 20)
      zip.writeUInt32LE(0x7fffffff, centralOffset(zip) + 24)
      const file = write('stored-lie.npz', zip)
      await expectCoralError(() => listNpz(file), 'MalformedFile', file)
    })

    it('a corrupted member fails its CRC', async () => {
      const zip = Buffer.from(zipSync({ 'w.npy': npy }, { level: 0 }))
      zip[zip.indexOf(7, 100)] = 8
      const file = write('crc.npz', zip)
      await expectCoralError(() => collect(readNpz(file)), 'MalformedFile', file)
    })

    it('a truncated archive and a central directory offset past the end', async () => {
      const zip = zipSync({ 'w.npy': npy }, { level: 6 })
      const cut = write('cut.npz', zip.subarray(0, zip.length - 30))
      await expectCoralError(() => collect(readNpz(cut)), 'MalformedFile', cut)
      const moved = Buffer.from(zip)
      moved.writeUInt32LE(0xffff0000, moved.length - 22 + 16)
      const file = write('moved.npz', moved)
      await expectCoralError(() => collect(readNpz(file)), 'MalformedFile', file)
    })

    it('a member that is not a .npy array is Unsupported', async () => {
      const file = write('other.npz', zipSync({ 'w.npy': npy, 'notes.txt': new Uint8Array(3) }))
      await expectCoralError(() => collect(readNpz(file)), 'Unsupported', file)
    })
  })
})
