import { describe, expect, it } from 'vitest'

import { gatherStrided, stridedExtent, swapBytes } from './strided.js'

describe('formats/strided', () => {
  it('gathers a transposed view of 8-byte elements from an unaligned buffer', () => {
    // 2x3 matrix of 8-byte elements whose bytes are i*8+k, placed at an odd offset.
    const backing = new Uint8Array(1 + 48)
    for (let i = 0; i < 48; i++) backing[1 + i] = i
    const source = backing.subarray(1)

    const out = gatherStrided(source, 8, [3, 2], [1, 3], 0)

    const order = [0, 3, 1, 4, 2, 5]
    expect([...out]).toEqual(order.flatMap((e) => [...source.subarray(e * 8, e * 8 + 8)]))
  })

  it('keeps NaN payloads when gathering 4-byte elements', () => {
    const source = new Uint8Array([0x01, 0x00, 0xc0, 0x7f, 0x45, 0x23, 0xc1, 0xff])

    const out = gatherStrided(source, 4, [2], [1], 0)

    expect([...out]).toEqual([...source])
  })

  it('measures extents and swaps bytes', () => {
    expect(stridedExtent([3, 2], [1, 3], 2)).toBe(2 + 2 + 3 + 1)
    expect(stridedExtent([0, 5], [5, 1], 9)).toBe(0)
    const data = new Uint8Array([1, 2, 3, 4, 5, 6])
    swapBytes(data, 2)
    expect([...data]).toEqual([2, 1, 4, 3, 6, 5])
  })
})
