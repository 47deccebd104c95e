import { byteLength, itemSize, type DType } from '../tensor/dtype.js'
import { formatShape, type Tensor, type TensorInfo } from '../tensor/tensor.js'
import { FileSource } from './file-source.js'
import { malformed, quote, unsupported } from './format-errors.js'
import { MAX_RANK } from './safetensors.js'
import { gatherStrided, swapBytes } from './strided.js'

/** Largest .npy header accepted, in bytes (NumPy itself refuses more than 10,000 by default). */
export const MAX_NPY_HEADER_BYTES = 1 << 20

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY

// Type code and size to dtype; the byte-order character is handled apart.
const DESCR_TYPES: Record<string, DType> = {
  f8: 'F64',
  f4: 'F32',
  f2: 'F16',
  i8: 'I64',
  i4: 'I32',
  i2: 'I16',
  i1: 'I8',
  u1: 'U8',
  b1: 'BOOL',
}

/** The validated header of a .npy array. */
export interface NpyHeader {
  /** Dtype the array is stored as in Coral (always little-endian). */
  readonly dtype: DType
  /** Shape in C order. */
  readonly shape: number[]
  /** True when the file stores the array in Fortran (column-major) order. */
  readonly fortranOrder: boolean
  /** True when the file stores elements big-endian (`>` descr). */
  readonly bigEndian: boolean
  /** Offset of the array data from the start of the .npy bytes. */
  readonly dataOffset: number
  /** Size of the array data in bytes. */
  readonly byteLength: number
}

/**
 * Size of the magic, version, length field and header of a .npy file.
 *
 * `prefix` holds the first bytes (at least 12 are needed to be sure); the
 * result is where the array data starts. Supports format versions 1, 2 and 3.
 */
export function npyDataOffset(file: string, prefix: Uint8Array): number {
  if (prefix.length < 10 || MAGIC.some((byte, i) => prefix[i] !== byte)) {
    throw malformed(file, 'is not a .npy array (bad magic)')
  }
  const major = prefix[6]!
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength)
  let length: number
  let start: number
  if (major === 1) {
    length = view.getUint16(8, true)
    start = 10
  } else if (major === 2 || major === 3) {
    if (prefix.length < 12) {
      throw malformed(file, '.npy header is truncated')
    }
    length = view.getUint32(8, true)
    start = 12
  } else {
    throw unsupported(file, `.npy format version ${major}.${prefix[7]} is not supported`)
  }
  if (length > MAX_NPY_HEADER_BYTES) {
    throw malformed(
      file,
      `.npy header length ${length} exceeds the limit of ${MAX_NPY_HEADER_BYTES} bytes`,
    )
  }
  return start + length
}

/**
 * Parses and validates a .npy header.
 *
 * `bytes` holds at least the first `npyDataOffset` bytes. The header dict is
 * read by a small strict parser (never evaluated): exactly the keys `descr`,
 * `fortran_order` and `shape`. Unsigned types wider than a byte, complex,
 * object, string and structured dtypes raise `Unsupported`.
 */
export function parseNpyHeader(file: string, bytes: Uint8Array): NpyHeader {
  const dataOffset = npyDataOffset(file, bytes)
  if (bytes.length < dataOffset) {
    throw malformed(
      file,
      `.npy header is truncated (needs ${dataOffset} bytes, has ${bytes.length})`,
    )
  }
  const start = bytes[6] === 1 ? 10 : 12
  let text: string
  try {
    // Versions 1 and 2 are latin-1; 3 is UTF-8. Both are ASCII in practice.
    text =
      bytes[6] === 3
        ? new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, dataOffset))
        : Buffer.from(bytes.subarray(start, dataOffset)).toString('latin1')
  } catch (error) {
    throw malformed(file, '.npy header is not valid UTF-8', {}, error)
  }
  const dict = parseHeaderDict(file, text)

  // Descr
  const descr = dict.descr
  const order = descr[0]
  const code = descr.slice(1)
  const dtype = DESCR_TYPES[code]
  if (dtype === undefined || !['<', '>', '|', '='].includes(order ?? '')) {
    throw unsupported(file, `.npy dtype ${quote(descr)} is not supported`, { descr })
  }
  const size = itemSize(dtype)
  if ((order === '|' && size > 1) || order === '=') {
    // '=' (native) is never written by NumPy; '|' only fits single bytes.
    throw malformed(file, `.npy dtype ${quote(descr)} has an invalid byte order`)
  }

  // Shape
  const total = byteLength(dtype, dict.shape)
  if (total === undefined) {
    throw malformed(file, `.npy shape ${formatShape(dict.shape)} is too large`)
  }
  return {
    dtype,
    shape: dict.shape,
    fortranOrder: dict.fortranOrder,
    bigEndian: order === '>' && size > 1,
    dataOffset,
    byteLength: total,
  }
}

/**
 * Turns the raw array bytes of a .npy file into a Coral tensor.
 *
 * `data` must be exactly `header.byteLength` bytes; it is modified in place
 * when the file is big-endian. Fortran-ordered arrays are transposed to C
 * order (same values at the same indices).
 */
export function npyTensor(header: NpyHeader, data: Uint8Array): Tensor {
  const size = itemSize(header.dtype)
  if (header.bigEndian) {
    swapBytes(data, size)
  }
  if (header.fortranOrder && header.shape.length > 1) {
    const strides: number[] = []
    let step = 1
    for (const dim of header.shape) {
      strides.push(step)
      step *= dim
    }
    data = gatherStrided(data, size, header.shape, strides, 0)
  }
  return { dtype: header.dtype, shape: header.shape, data }
}

/**
 * Decodes a whole .npy array held in memory.
 *
 * The array data must fill the rest of `bytes` exactly.
 */
export function decodeNpy(file: string, bytes: Uint8Array): Tensor {
  const header = parseNpyHeader(file, bytes)
  const available = bytes.length - header.dataOffset
  if (available !== header.byteLength) {
    throw malformed(
      file,
      `.npy data is ${available} bytes but ${header.dtype} ${formatShape(header.shape)} needs ${header.byteLength}`,
    )
  }
  return npyTensor(header, bytes.slice(header.dataOffset))
}

/** Reads and validates the header of a .npy file on disk. */
export async function readNpyHeader(source: FileSource): Promise<NpyHeader> {
  const prefix = await source.read(0, Math.min(12, source.size), '.npy prefix')
  const dataOffset = npyDataOffset(source.file, prefix)
  const header = parseNpyHeader(source.file, await source.read(0, dataOffset, '.npy header'))
  const available = source.size - header.dataOffset
  if (available !== header.byteLength) {
    throw malformed(
      source.file,
      `.npy data is ${available} bytes but ${header.dtype} ${formatShape(header.shape)} needs ${header.byteLength}`,
    )
  }
  return header
}

/** Reads a .npy file into a tensor (one positioned read for the data). */
export async function readNpy(file: string): Promise<Tensor> {
  const source = await FileSource.open(file)
  try {
    const header = await readNpyHeader(source)
    const data = await source.read(header.dataOffset, header.byteLength, '.npy data')
    return npyTensor(header, data)
  } finally {
    await source.close()
  }
}

/** Describes the array in a .npy file without reading its data. */
export async function listNpy(file: string): Promise<TensorInfo> {
  const source = await FileSource.open(file)
  try {
    const header = await readNpyHeader(source)
    return { dtype: header.dtype, shape: header.shape, byteLength: header.byteLength }
  } finally {
    await source.close()
  }
}

/**
 * Encodes a tensor as a version 1.0 .npy array (little-endian, C order).
 *
 * Throws `Unsupported` for dtypes NumPy has no standard descr for (BF16, F8).
 */
export function encodeNpy(tensor: Tensor): Uint8Array {
  const code = Object.entries(DESCR_TYPES).find(([, dtype]) => dtype === tensor.dtype)?.[0]
  if (code === undefined) {
    throw unsupported('<npy>', `dtype ${tensor.dtype} has no .npy descr`)
  }
  const descr = `${itemSize(tensor.dtype) === 1 ? '|' : '<'}${code}`
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`
  // Pad so the data starts on a 64-byte boundary, as NumPy does.
  const unpadded = 10 + dict.length + 1
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n'
  const out = new Uint8Array(10 + dict.length + tensor.data.length)
  out.set(MAGIC, 0)
  out[6] = 1
  out[7] = 0
  new DataView(out.buffer).setUint16(8, dict.length, true)
  out.set(Buffer.from(dict, 'latin1'), 10)
  out.set(tensor.data, 10 + dict.length)
  return out
}

interface HeaderDict {
  descr: string
  fortranOrder: boolean
  shape: number[]
}

// A strict reader for the one Python literal NumPy writes: a dict of a string,
// a bool and a tuple of ints. Anything else is rejected, nothing is evaluated.
function parseHeaderDict(file: string, text: string): HeaderDict {
  let pos = 0
  const fail = (what: string): never => {
    throw malformed(file, `.npy header dict is invalid: ${what} at character ${pos}`)
  }
  const skipSpace = (): void => {
    while (pos < text.length && ' \t\r\n'.includes(text[pos]!)) pos++
  }
  const expect = (char: string): void => {
    skipSpace()
    if (text[pos] !== char) fail(`expected ${quote(char)}`)
    pos++
  }
  const readString = (): string => {
    skipSpace()
    const q = text[pos]
    if (q !== "'" && q !== '"') fail('expected a string')
    const end = text.indexOf(q!, pos + 1)
    if (end < 0) fail('unterminated string')
    const value = text.slice(pos + 1, end)
    if (value.includes('\\') || value.includes('\n')) fail('unsupported string escape')
    pos = end + 1
    return value
  }
  const readInt = (): number => {
    skipSpace()
    const match = /^[0-9]{1,16}L?/.exec(text.slice(pos, pos + 17))
    if (match === null) fail('expected a non-negative integer')
    pos += match![0].length
    const value = Number.parseInt(match![0], 10)
    if (!Number.isSafeInteger(value)) fail('integer too large')
    return value
  }

  const seen: Partial<HeaderDict> = {}
  expect('{')
  for (;;) {
    skipSpace()
    if (text[pos] === '}') {
      pos++
      break
    }
    const key = readString()
    expect(':')
    skipSpace()
    if (key === 'descr' && seen.descr === undefined) {
      if (text[pos] === '[') {
        throw unsupported(file, '.npy structured dtypes are not supported')
      }
      seen.descr = readString()
    } else if (key === 'fortran_order' && seen.fortranOrder === undefined) {
      if (text.startsWith('True', pos)) {
        seen.fortranOrder = true
        pos += 4
      } else if (text.startsWith('False', pos)) {
        seen.fortranOrder = false
        pos += 5
      } else {
        fail('fortran_order is not True or False')
      }
    } else if (key === 'shape' && seen.shape === undefined) {
      expect('(')
      const shape: number[] = []
      for (;;) {
        skipSpace()
        if (text[pos] === ')') {
          pos++
          break
        }
        if (shape.length >= MAX_RANK) fail(`shape has more than ${MAX_RANK} dimensions`)
        shape.push(readInt())
        skipSpace()
        if (text[pos] === ',') {
          pos++
        } else if (text[pos] !== ')') {
          fail('expected "," or ")" in shape')
        } else if (shape.length === 1) {
          // Python writes a 1-tuple as (n,); "(n)" is just an int.
          fail('a one-element shape must be written (n,)')
        }
      }
      seen.shape = shape
    } else {
      fail(`unexpected or repeated key ${quote(key)}`)
    }
    skipSpace()
    if (text[pos] === ',') {
      pos++
    } else if (text[pos] !== '}') {
      fail('expected "," or "}"')
    }
  }
  skipSpace()
  if (pos !== text.length) fail('trailing characters after the dict')
  if (seen.descr === undefined || seen.fortranOrder === undefined || seen.shape === undefined) {
    throw malformed(file, '.npy header dict lacks descr, fortran_order or shape')
  }
  return seen as HeaderDict
}
