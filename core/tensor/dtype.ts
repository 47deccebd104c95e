/**
 * The element types Coral stores, named as safetensors names them.
 *
 * Bytes are always little-endian and C-ordered. BOOL is one byte per element.
 */
export const DTYPES = [
  'F64',
  'F32',
  'F16',
  'BF16',
  'F8_E4M3',
  'F8_E5M2',
  'I64',
  'I32',
  'I16',
  'I8',
  'U8',
  'BOOL',
] as const

/** One of `DTYPES`. */
export type DType = (typeof DTYPES)[number]

const ITEM_SIZES: Record<DType, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
}

/** Bytes per element of `dtype`. */
export function itemSize(dtype: DType): number {
  return ITEM_SIZES[dtype]
}

/** True when `value` names a supported dtype. */
export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value)
}

/** True for the floating-point dtypes (where cosine similarity is meaningful). */
export function isFloatDType(dtype: DType): boolean {
  return dtype.startsWith('F') || dtype === 'BF16'
}

/**
 * Number of elements of a shape, or `undefined` when it is not a safe integer.
 *
 * An empty shape is a 0-d tensor with one element. Callers reject shapes whose
 * element count is not representable instead of allocating for them.
 */
export function elementCount(shape: readonly number[]): number | undefined {
  let count = 1
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      return undefined
    }
    count *= dim
    if (!Number.isSafeInteger(count)) {
      return undefined
    }
  }
  return count
}

/** Byte length of a tensor of this dtype and shape, or `undefined` if unrepresentable. */
export function byteLength(dtype: DType, shape: readonly number[]): number | undefined {
  const count = elementCount(shape)
  if (count === undefined) {
    return undefined
  }
  const bytes = count * itemSize(dtype)
  return Number.isSafeInteger(bytes) ? bytes : undefined
}
