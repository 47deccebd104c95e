import { randomBytes } from 'node:crypto'

import { beforeAll, describe, expect, it } from 'vitest'

import { decodePlanes, encodePlanes } from './plane-codec.js'
import { ensureZstd } from './zstd.js'

beforeAll(async () => {
  await ensureZstd()
})

/** Float32-like bytes: a repetitive top byte (compressed) and random low bytes (stored). */
function mixedBytes(elements: number): Uint8Array {
  const data = randomBytes(elements * 4)
  for (let i = 3; i < data.length; i += 4) data[i] = 0x3c + (i % 3)
  return new Uint8Array(data)
}

describe('plane payloads', () => {
  it('keep their bytes after later tensors are encoded (planes share one buffer)', () => {
    const sizes = [4096, 65536, 1000, 65536]
    const inputs = sizes.map(mixedBytes)
    // Each payload is copied as soon as it is made, then compared once all are made.
    const encoded = inputs.map((data) => {
      const payload = encodePlanes(data, 4)
      return { payload, copy: payload.slice() }
    })
    for (const [i, { payload, copy }] of encoded.entries()) {
      expect(Buffer.from(payload).equals(Buffer.from(copy))).toBe(true)
      expect(Buffer.from(decodePlanes(payload, inputs[i]!.length, 4)).equals(inputs[i]!)).toBe(true)
    }
  })

  it('round-trip tensors larger than the shared buffer', () => {
    const data = mixedBytes(4 * 1024 * 1024 + 1)
    const payload = encodePlanes(data, 4)
    expect(payload.length).toBeLessThan(data.length)
    expect(Buffer.from(decodePlanes(payload, data.length, 4)).equals(data)).toBe(true)
  })
})
