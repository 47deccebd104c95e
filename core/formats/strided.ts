/**
 * Copies a strided view into a new contiguous C-order buffer.
 *
 * `strides` and `offset` count elements of `itemSize` bytes in `source`.
 * Callers check beforehand that every addressed element lies inside `source`.
 */
export function gatherStrided(
  source: Uint8Array,
  itemSize: number,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1)
  const out = new Uint8Array(count * itemSize)
  if (count === 0) {
    return out
  }
  // Copy through 1-, 2- or 4-byte integer words (never float views, which may
  // rewrite NaN payloads); an 8-byte element is two 4-byte words.
  const word = itemSize >= 4 ? 4 : itemSize
  const aligned = itemSize % word === 0 && source.byteOffset % word === 0
  const View = !aligned || word === 1 ? Uint8Array : word === 2 ? Uint16Array : Uint32Array
  const unit = aligned ? word : 1
  const src = new View(
    source.buffer as ArrayBuffer,
    source.byteOffset,
    Math.floor(source.byteLength / unit),
  )
  const dst = new View(out.buffer)
  const width = itemSize / unit
  const rank = shape.length
  const index = new Array<number>(rank).fill(0)
  let at = offset
  for (let n = 0; n < count; n++) {
    for (let b = 0; b < width; b++) {
      dst[n * width + b] = src[at * width + b]!
    }
    // Odometer step over the C-order index.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]! += 1
      at += strides[d]!
      if (index[d]! < shape[d]!) {
        break
      }
      at -= strides[d]! * shape[d]!
      index[d] = 0
    }
  }
  return out
}

/**
 * Index one past the highest element a strided view addresses (0 for an empty view).
 *
 * Returns `undefined` when the figure is not a safe integer.
 */
export function stridedExtent(
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): number | undefined {
  if (shape.some((dim) => dim === 0)) {
    return 0
  }
  let last = offset
  for (let d = 0; d < shape.length; d++) {
    last += (shape[d]! - 1) * strides[d]!
  }
  return Number.isSafeInteger(last + 1) ? last + 1 : undefined
}

/** Reverses the byte order of each `itemSize`-byte element in place. */
export function swapBytes(data: Uint8Array, itemSize: number): void {
  if (itemSize <= 1) {
    return
  }
  for (let i = 0; i + itemSize <= data.length; i += itemSize) {
    data.subarray(i, i + itemSize).reverse()
  }
}
