import { createHash } from 'node:crypto'

import { describe, expect, it } from 'vitest'

import { createRandom } from '../cluster/random.js'

import { edgeValueTensor, randomTensor } from '../test/tensors.js'
import { DTYPES, itemSize, type DType } from '../tensor/dtype.js'
import { joinPlanes, splitPlanes, xorBytes } from './byte-planes.js'
import {
  orderedDiff,
  orderedDiffPlanes,
  undoOrderedDiff,
  undoOrderedDiffPlanes,
} from './ordered-diff.js'
import { encodePlanes } from './plane-codec.js'
import { decodePayload, encodeDelta } from './tensor-codec.js'
import { ensureZstd } from './zstd.js'

/** The bytes of every edge value of `dtype` (in `a`) paired with every edge value (in `b`). */
function everyEdgePair(dtype: DType): { a: number[]; b: number[] } {
  const edges = edgeValueTensor(dtype).data
  const size = itemSize(dtype)
  const count = edges.length / size
  const a: number[] = []
  const b: number[] = []
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < count; j++) {
      a.push(...edges.subarray(i * size, (i + 1) * size))
      b.push(...edges.subarray(j * size, (j + 1) * size))
    }
  }
  return { a, b }
}

describe('ordered difference', () => {
  // Stored delta objects depend on these exact bytes: a faster loop must
  // produce what the first implementation wrote (hashes recorded from it).
  const WRITTEN_BY_FIRST_VERSION: Record<string, string> = {
    F64: '248518a968ef4a3e',
    F32: '2e95741bcfff3744',
    F16: '0281624d3c8aed1c',
    BF16: '0281624d3c8aed1c',
    F8_E4M3: 'fcd39b11f6408420',
    F8_E5M2: 'fcd39b11f6408420',
    I64: '14e31d4ba34bb472',
    I32: '95c993ea3429a85a',
    I16: '1cdb1aaaff10bcac',
    I8: '62ac881acaa8a1b3',
    U8: '62ac881acaa8a1b3',
    BOOL: '62ac881acaa8a1b3',
  }

  it.each(DTYPES)('%s: the difference bytes are those earlier versions stored', (dtype) => {
    const random = createRandom(7)
    const n = 4096 * itemSize(dtype)
    const data = new Uint8Array(n)
    const base = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      data[i] = Math.floor(random() * 256)
      base[i] = random() < 0.5 ? data[i]! : Math.floor(random() * 256)
    }
    const digest = createHash('sha256')
      .update(orderedDiff(dtype, data, base))
      .digest('hex')

    expect(digest.slice(0, 16)).toBe(WRITTEN_BY_FIRST_VERSION[dtype])
  })

  it.each(DTYPES)(
    '%s: every pair of edge values and random patterns comes back bit-exact',
    (dtype) => {
      // Every edge value against every edge value, then random against random.
      const { a, b } = everyEdgePair(dtype)
      const random = randomTensor(dtype, [257]).data
      const otherRandom = randomTensor(dtype, [257]).data
      const data = Uint8Array.from([...a, ...random])
      const base = Uint8Array.from([...b, ...otherRandom])

      const diff = orderedDiff(dtype, data, base)

      expect(diff.length).toBe(data.length)
      expect(Buffer.from(undoOrderedDiff(dtype, diff, base)).equals(Buffer.from(data))).toBe(true)
    },
  )

  it.each(DTYPES)(
    '%s: the one-pass plane forms equal split and join around the plain ones',
    (dtype) => {
      const size = itemSize(dtype)
      const { a, b } = everyEdgePair(dtype)
      const data = Uint8Array.from([...a, ...randomTensor(dtype, [1001]).data])
      const base = Uint8Array.from([...b, ...randomTensor(dtype, [1001]).data])

      const planes = orderedDiffPlanes(dtype, data, base)

      expect(planes).toEqual(splitPlanes(orderedDiff(dtype, data, base), size))
      expect(undoOrderedDiffPlanes(dtype, planes, base)).toEqual(
        undoOrderedDiff(dtype, joinPlanes(planes, size), base),
      )
      expect(
        Buffer.from(undoOrderedDiffPlanes(dtype, planes, base)).equals(Buffer.from(data)),
      ).toBe(true)
    },
  )

  it('maps a one-unit move across zero and across an exponent boundary to small numbers', () => {
    const pairs: [number, number][] = [
      [0x80000000, 0x00000000], // -0 against +0: neighbours
      [0x00000001, 0x80000001], // smallest subnormal against its negative: two steps apart
      [0x3f800000, 0x3f7fffff], // 1.0 against the float just below it
    ]
    const data = new Uint32Array(pairs.map(([x]) => x))
    const base = new Uint32Array(pairs.map(([, y]) => y))

    const diff = new Uint32Array(
      orderedDiff('F32', new Uint8Array(data.buffer), new Uint8Array(base.buffer)).buffer,
    )

    // zigzag: -1 -> 1, 1 -> 2, 3 -> 6
    expect([...diff]).toEqual([1, 6, 2])
  })

  it('refuses inputs of different lengths', () => {
    expect(() => orderedDiff('BF16', new Uint8Array(4), new Uint8Array(2))).toThrow(RangeError)
  })

  it('is what delta objects store, and they decode to the exact bytes', async () => {
    await ensureZstd()
    for (const dtype of DTYPES) {
      const tensor = randomTensor(dtype, [33, 3])
      const base = randomTensor(dtype, [33, 3])
      const encoded = encodeDelta(tensor, base, 'b'.repeat(64))

      expect(encoded.header.codec).toBe('diff-planes-zstd')
      const decoded = await decodePayload(encoded.header, encoded.payload, async () => base)
      expect(Buffer.from(decoded).equals(Buffer.from(tensor.data))).toBe(true)
    }
  })

  it('leaves objects written as XOR deltas readable', async () => {
    await ensureZstd()
    const tensor = edgeValueTensor('BF16')
    const base = randomTensor('BF16', [...tensor.shape])
    const header = {
      dtype: tensor.dtype,
      shape: [...tensor.shape],
      length: tensor.data.length,
      codec: 'xor-planes-zstd' as const,
      base: 'b'.repeat(64),
    }
    const payload = encodePlanes(xorBytes(tensor.data, base.data), 2)

    const decoded = await decodePayload(header, payload, async () => base)

    expect(Buffer.from(decoded).equals(Buffer.from(tensor.data))).toBe(true)
  })
})
