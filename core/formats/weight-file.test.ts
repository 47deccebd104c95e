import fs from 'node:fs'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { detectFormat, listWeightFile, readWeightFile } from './weight-file.js'
import { FIXTURES, collect, expectCoralError, tempDir } from './test-helpers.js'

const ZOO = path.resolve(import.meta.dirname, '../../../shared/zoo/lm/base-step0030.safetensors')

describe('formats/weight-file', () => {
  it('detects each format by magic and extension', async () => {
    expect(await detectFormat(ZOO)).toBe('safetensors')
    expect(await detectFormat(path.join(FIXTURES, 'f32.npy'))).toBe('npy')
    expect(await detectFormat(path.join(FIXTURES, 'stored.npz'))).toBe('npz')
    expect(await detectFormat(path.join(FIXTURES, 'state.pt'))).toBe('pytorch')
  })

  it('reads every format through one entry point, matching its listing', async () => {
    for (const file of [ZOO, 'f32.npy', 'deflated.npz', 'nested.pt'].map((f) =>
      path.resolve(FIXTURES, f),
    )) {
      const tensors = await collect(readWeightFile(file))
      const listed = await listWeightFile(file)

      expect(listed.map((l) => l.name)).toEqual(tensors.map((t) => t.name))
      expect(listed.map((l) => l.info.byteLength)).toEqual(tensors.map((t) => t.tensor.data.length))
    }
  })

  it('names a lone .npy tensor after its file', async () => {
    const [only] = await collect(readWeightFile(path.join(FIXTURES, 'i64.npy')))
    expect(only!.name).toBe('i64')
  })

  it('stops with Cancelled when the signal fires', async () => {
    const controller = new AbortController()
    controller.abort()
    const error = await collect(readWeightFile(ZOO, { signal: controller.signal })).catch(
      (e: unknown) => e,
    )
    expect((error as { code?: string }).code).toBe('Cancelled')
  })

  it('gives one-line errors for unknown, missing and mislabelled files', async () => {
    const dir = tempDir()
    const text = path.join(dir, 'notes.txt')
    fs.writeFileSync(text, 'hello world')
    await expectCoralError(() => listWeightFile(text), 'Unsupported', text)
    const missing = path.join(dir, 'gone.safetensors')
    await expectCoralError(() => listWeightFile(missing), 'NotFound', missing)
    const fake = path.join(dir, 'fake.npy')
    fs.writeFileSync(fake, 'not numpy at all')
    await expectCoralError(() => collect(readWeightFile(fake)), 'MalformedFile', fake)
  })
})
