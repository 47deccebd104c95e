/**
 * Byte grouping: element bytes split into planes.
 *
 * For an item size of 4, plane 0 holds byte 0 of every element, plane 1
 * byte 1, and so on. Sign and exponent bytes of floats are highly repetitive
 * while low mantissa bytes are close to random; grouping them lets the
 * compressor spend its effort only where it pays. The transform is a
 * permutation, so it is lossless for any bytes.
 */

/**
 * Splits `data` (a whole number of `itemSize`-byte elements) into planes,
 * laid end to end, in `into` (as long as `data`) or a new array.
 */
export function splitPlanes(data: Uint8Array, itemSize: number, into?: Uint8Array): Uint8Array {
  if (itemSize === 1) {
    return data
  }
  const count = data.length / itemSize
  const out = into ?? new Uint8Array(data.length)
  // Word reads are several times faster than byte reads on MB-sized tensors;
  // Int32 rather than Uint32 words, which V8 boxes as doubles above 2^31.
  if (itemSize === 4) {
    const words = alignedView(data, Int32Array)
    for (let i = 0; i < count; i++) {
      const w = words[i]!
      out[i] = w
      out[count + i] = w >>> 8
      out[2 * count + i] = w >>> 16
      out[3 * count + i] = w >>> 24
    }
    return out
  }
  if (itemSize === 2) {
    const halves = alignedView(data, Uint16Array)
    for (let i = 0; i < count; i++) {
      const h = halves[i]!
      out[i] = h
      out[count + i] = h >>> 8
    }
    return out
  }
  for (let plane = 0; plane < itemSize; plane++) {
    const base = plane * count
    for (let i = 0, j = plane; i < count; i++, j += itemSize) {
      out[base + i] = data[j]!
    }
  }
  return out
}

/** Inverse of `splitPlanes`. */
export function joinPlanes(planes: Uint8Array, itemSize: number): Uint8Array {
  if (itemSize === 1) {
    return planes
  }
  const count = planes.length / itemSize
  const out = new Uint8Array(planes.length)
  if (itemSize === 4) {
    const words = new Int32Array(out.buffer, 0, count)
    for (let i = 0; i < count; i++) {
      words[i] =
        planes[i]! |
        (planes[count + i]! << 8) |
        (planes[2 * count + i]! << 16) |
        (planes[3 * count + i]! << 24)
    }
    return out
  }
  if (itemSize === 2) {
    const halves = new Uint16Array(out.buffer, 0, count)
    for (let i = 0; i < count; i++) {
      halves[i] = planes[i]! | (planes[count + i]! << 8)
    }
    return out
  }
  for (let plane = 0; plane < itemSize; plane++) {
    const base = plane * count
    for (let i = 0, j = plane; i < count; i++, j += itemSize) {
      out[j] = planes[base + i]!
    }
  }
  return out
}

/** Bytewise XOR of two equal-length buffers (a lossless delta of bit patterns). */
export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) {
    throw new RangeError(`xorBytes: lengths differ (${a.length} vs ${b.length})`)
  }
  const out = new Uint8Array(a.length)
  const words = a.length >>> 2
  const wa = alignedView(a.subarray(0, words * 4), Uint32Array)
  const wb = alignedView(b.subarray(0, words * 4), Uint32Array)
  const wo = new Uint32Array(out.buffer, 0, words)
  for (let i = 0; i < words; i++) {
    wo[i] = wa[i]! ^ wb[i]!
  }
  for (let i = words * 4; i < a.length; i++) {
    out[i] = a[i]! ^ b[i]!
  }
  return out
}

/**
 * A little-endian word view of `bytes`, copying only when the bytes are not
 * aligned to the word size. (Only little-endian hosts are supported: x86 and
 * ARM as Node runs them.)
 */
export function alignedView<T extends Uint16Array | Uint32Array | Int32Array>(
  bytes: Uint8Array,
  kind: {
    new (buffer: ArrayBufferLike, offset: number, length: number): T
    BYTES_PER_ELEMENT: number
  },
): T {
  const size = kind.BYTES_PER_ELEMENT
  const source = bytes.byteOffset % size === 0 ? bytes : bytes.slice()
  return new kind(source.buffer, source.byteOffset, source.length / size)
}
