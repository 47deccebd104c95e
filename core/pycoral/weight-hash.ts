import { createXXHash3 } from 'hash-wasm'

/**
 * The Python tuple text of a shape, as `str(array.shape)` prints it.
 *
 * `()` for 0-d, `(64,)` for 1-d, `(128, 64)` otherwise.
 */
export function pythonShapeRepr(shape: readonly number[]): string {
  if (shape.length === 1) {
    return `(${shape[0]},)`
  }
  return `(${shape.join(', ')})`
}

/**
 * The Python Coral weight hash: XXH3-64 (seed 0) as 16 lowercase hex digits.
 *
 * Hashes the shape's tuple text, then the numpy dtype name (e.g. `float32`),
 * then the raw little-endian C-order bytes, so shape and dtype are part of the
 * identity (coral-py-format §1.7).
 */
export async function pythonWeightHash(
  shape: readonly number[],
  numpyDtype: string,
  bytes: Uint8Array,
): Promise<string> {
  const hasher = await createXXHash3()
  hasher.init()
  hasher.update(pythonShapeRepr(shape))
  hasher.update(numpyDtype)
  hasher.update(bytes)
  return hasher.digest('hex')
}
