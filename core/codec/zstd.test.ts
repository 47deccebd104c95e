import { beforeAll, describe, expect, it } from 'vitest'

import { CoralError } from '../errors.js'
import {
  ensureZstd,
  frameContentSize,
  loadZstdBackend,
  zstdCompress,
  zstdDecompress,
} from './zstd.js'

describe('zstd frames', () => {
  beforeAll(ensureZstd)

  it.each([1, 200, 255, 256, 300, 65_791, 65_792, 1_000_000])(
    'reads the declared content size of a %i-byte frame',
    (length) => {
      const data = new Uint8Array(length).map((_, i) => (i * 7) % 13)

      expect(frameContentSize(zstdCompress(data))).toBe(length)
    },
  )

  it('refuses a frame whose header declares another size, before allocating it', () => {
    const frame = zstdCompress(new Uint8Array(4096).fill(3))
    // A single-segment frame of this size: a 2-byte size field (value - 256) right after the descriptor.
    expect(frame[4]! & 0xe0).toBe(0x60)
    const lying = frame.slice()
    lying.set([0xff, 0xff], 5)

    expect(frameContentSize(lying)).toBe(0xffff + 256)
    expect(() => zstdDecompress(lying, 4096)).toThrow(CoralError)
    expect(() => zstdDecompress(frame.subarray(0, 5), 4096)).toThrow(/declares no content size/)
    expect(zstdDecompress(frame, 4096)).toEqual(new Uint8Array(4096).fill(3))
  })
})

// The native library is optional (built by npm ci where a C++ toolchain exists; .ci/run installs one).
const native = await loadZstdBackend('native')

describe('zstd libraries', () => {
  it.runIf(native !== undefined)(
    'decode each other’s frames: a store written by one reads with the other',
    async () => {
      const wasm = (await loadZstdBackend('wasm'))!
      const data = new Uint8Array(100_000).map((_, i) => (i % 251) ^ (i >> 9))
      for (const [writer, reader] of [
        [native!, wasm],
        [wasm, native!],
      ] as const) {
        const frame = writer.compress(data, 1)
        const out = new Uint8Array(data.length)

        expect(frameContentSize(frame)).toBe(data.length)
        expect(reader.decompressInto(frame, out)).toBe(data.length)
        expect(out).toEqual(data)
      }
    },
  )
})
