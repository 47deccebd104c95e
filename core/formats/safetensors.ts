import { CoralError, throwIfAborted } from '../errors.js'
import { byteLength, isDType, type DType } from '../tensor/dtype.js'
import { formatShape, type Tensor, type TensorInfo } from '../tensor/tensor.js'
import { writeAll, writeFileAtomic } from './atomic-file.js'
import { FileSource } from './file-source.js'
import { checkTensorName, malformed, quote, unsupported } from './format-errors.js'

/** Largest JSON header accepted, in bytes (the reference implementation uses the same bound). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000

/** Most dimensions a tensor shape may have. */
export const MAX_RANK = 64

/** One tensor as the safetensors header describes it. */
export interface SafetensorsEntry {
  /** Tensor name. */
  readonly name: string
  /** Dtype, shape and byte length. */
  readonly info: TensorInfo
  /** Start of the tensor's bytes, relative to the start of the data section. */
  readonly begin: number
  /** End (exclusive) of the tensor's bytes, relative to the start of the data section. */
  readonly end: number
}

/** A validated safetensors header. */
export interface SafetensorsHeader {
  /** Tensors in the order of their data offsets. */
  readonly entries: SafetensorsEntry[]
  /** The `__metadata__` string map (empty when absent). */
  readonly metadata: Record<string, string>
  /** Absolute file offset where the data section starts (8 + header length). */
  readonly dataStart: number
  /** Size of the data section in bytes. */
  readonly dataSize: number
}

/**
 * Reads and validates the header of an open safetensors file.
 *
 * Checks the 8-byte little-endian header length against the file size and
 * `MAX_SAFETENSORS_HEADER_BYTES` before reading it, so a header claiming
 * terabytes allocates nothing. Every entry is checked: known dtype (else
 * `Unsupported`), non-negative integer shape, `data_offsets` inside the data
 * section and exactly as long as dtype and shape require, no two ranges
 * overlapping, and `__metadata__` a map of strings.
 */
export async function readSafetensorsHeader(source: FileSource): Promise<SafetensorsHeader> {
  const { file, size } = source
  if (size < 8) {
    throw malformed(
      file,
      `file is ${size} bytes, shorter than the 8-byte safetensors header length`,
    )
  }
  const prefix = await source.read(0, 8, 'header length')
  const headerLength = new DataView(prefix.buffer).getBigUint64(0, true)
  if (headerLength > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
    throw malformed(
      file,
      `header length ${headerLength} exceeds the limit of ${MAX_SAFETENSORS_HEADER_BYTES} bytes`,
    )
  }
  if (headerLength > BigInt(size - 8)) {
    throw malformed(file, `header length ${headerLength} exceeds the file size (${size} bytes)`)
  }
  const length = Number(headerLength)
  const bytes = await source.read(8, length, 'header')
  return parseSafetensorsHeader(file, bytes, 8 + length, size - 8 - length)
}

/**
 * Validates the JSON header bytes of a safetensors file.
 *
 * `dataStart` is the absolute offset of the data section and `dataSize` its
 * length in bytes; both come from the header length and the file size.
 */
export function parseSafetensorsHeader(
  file: string,
  bytes: Uint8Array,
  dataStart: number,
  dataSize: number,
): SafetensorsHeader {
  // Decode
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (error) {
    throw malformed(file, 'header is not valid UTF-8', {}, error)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw malformed(file, `header is not valid JSON (${(error as Error).message})`, {}, error)
  }
  if (!isPlainObject(json)) {
    throw malformed(file, 'header is not a JSON object')
  }

  // Entries
  const entries: SafetensorsEntry[] = []
  let metadata: Record<string, string> = {}
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(file, value)
      continue
    }
    entries.push(parseEntry(file, name, value, dataSize))
  }

  // Overlaps: after sorting by start, each range must begin at or after the
  // end of the previous non-empty one.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end)
  let previous: SafetensorsEntry | undefined
  for (const entry of entries) {
    if (entry.begin === entry.end) {
      continue
    }
    if (previous !== undefined && entry.begin < previous.end) {
      throw malformed(
        file,
        `tensor ${quote(entry.name)} data_offsets [${entry.begin}, ${entry.end}] overlap tensor ${quote(previous.name)} [${previous.begin}, ${previous.end}]`,
      )
    }
    previous = entry
  }
  return { entries, metadata, dataStart, dataSize }
}

/** Lists the tensors of a safetensors file without reading their data. */
export async function listSafetensors(file: string): Promise<{ name: string; info: TensorInfo }[]> {
  const source = await FileSource.open(file)
  try {
    const header = await readSafetensorsHeader(source)
    return header.entries.map(({ name, info }) => ({ name, info }))
  } finally {
    await source.close()
  }
}

/**
 * Streams the tensors of a safetensors file in data order.
 *
 * Each tensor is read with one positioned read, so memory holds one tensor at
 * a time. Checks `signal` between tensors (`Cancelled`).
 */
export async function* readSafetensors(
  file: string,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<{ name: string; tensor: Tensor }> {
  const source = await FileSource.open(file)
  try {
    const header = await readSafetensorsHeader(source)
    for (const entry of header.entries) {
      throwIfAborted(options.signal)
      const data = await source.read(
        header.dataStart + entry.begin,
        entry.end - entry.begin,
        `tensor ${quote(entry.name)} data`,
      )
      yield { name: entry.name, tensor: { dtype: entry.info.dtype, shape: entry.info.shape, data } }
    }
  } finally {
    await source.close()
  }
}

/**
 * Writes tensors to a safetensors file atomically.
 *
 * Names are sorted and their data laid out contiguously in that order; the
 * JSON header is padded with spaces so the data section starts on an 8-byte
 * boundary. The file appears under `file` only once fully written and flushed.
 * Throws `InvalidArgument` for a duplicate or invalid name, or for a tensor
 * whose byte length does not match its dtype and shape.
 */
export async function writeSafetensors(
  file: string,
  entries: Iterable<[string, Tensor]>,
  metadata?: Record<string, string>,
): Promise<void> {
  // Validate and order
  const byName = new Map<string, Tensor>()
  for (const [name, tensor] of entries) {
    try {
      checkTensorName(file, name)
    } catch (error) {
      throw new CoralError('InvalidArgument', (error as Error).message, { file, name })
    }
    if (name === '__metadata__' || byName.has(name)) {
      throw new CoralError(
        'InvalidArgument',
        `${file}: tensor name ${quote(name)} is used twice or reserved`,
      )
    }
    const expected = isDType(tensor.dtype) ? byteLength(tensor.dtype, tensor.shape) : undefined
    if (expected === undefined || expected !== tensor.data.length) {
      throw new CoralError(
        'InvalidArgument',
        `${file}: tensor ${quote(name)} has ${tensor.data.length} bytes, not what ${tensor.dtype} ${formatShape(tensor.shape)} needs`,
      )
    }
    byName.set(name, tensor)
  }
  const names = [...byName.keys()].sort()

  // Header
  const header: Record<string, unknown> = {}
  if (metadata !== undefined && Object.keys(metadata).length > 0) {
    header['__metadata__'] = metadata
  }
  let offset = 0
  for (const name of names) {
    const tensor = byName.get(name)!
    header[name] = {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + tensor.data.length],
    }
    offset += tensor.data.length
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8')
  const padded = Math.ceil(json.length / 8) * 8
  const head = Buffer.alloc(8 + padded, 0x20)
  head.writeBigUInt64LE(BigInt(padded), 0)
  json.copy(head, 8)

  // Data
  await writeFileAtomic(file, async (handle) => {
    await writeAll(handle, head)
    for (const name of names) {
      await writeAll(handle, byName.get(name)!.data)
    }
  })
}

function parseMetadata(file: string, value: unknown): Record<string, string> {
  if (!isPlainObject(value)) {
    throw malformed(file, '__metadata__ is not an object of strings')
  }
  const out: Record<string, string> = {}
  for (const [key, text] of Object.entries(value)) {
    if (typeof text !== 'string') {
      throw malformed(file, `__metadata__ value ${quote(key)} is not a string`)
    }
    // Own data property even for keys like "__proto__".
    Object.defineProperty(out, key, {
      value: text,
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return out
}

function parseEntry(
  file: string,
  name: string,
  value: unknown,
  dataSize: number,
): SafetensorsEntry {
  checkTensorName(file, name)
  const label = `tensor ${quote(name)}`
  if (!isPlainObject(value)) {
    throw malformed(file, `${label} entry is not an object`)
  }

  // Dtype
  const dtype = value['dtype']
  if (typeof dtype !== 'string') {
    throw malformed(file, `${label} has no dtype string`)
  }
  if (!isDType(dtype)) {
    throw unsupported(file, `${label} has unsupported dtype ${quote(dtype)}`, { dtype })
  }

  // Shape
  const shape = value['shape']
  if (!Array.isArray(shape) || shape.length > MAX_RANK) {
    throw malformed(file, `${label} shape is not a list of at most ${MAX_RANK} dimensions`)
  }
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw malformed(
        file,
        `${label} shape ${JSON.stringify(shape)} holds a dimension that is not a non-negative integer`,
      )
    }
  }
  const expected = byteLength(dtype as DType, shape as number[])
  if (expected === undefined) {
    throw malformed(file, `${label} shape ${formatShape(shape as number[])} is too large`)
  }

  // Offsets
  const offsets = value['data_offsets']
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)
  ) {
    throw malformed(file, `${label} data_offsets is not a pair of non-negative integers`)
  }
  const [begin, end] = offsets as [number, number]
  if (begin > end) {
    throw malformed(file, `${label} data_offsets [${begin}, ${end}] end before they begin`)
  }
  if (end > dataSize) {
    throw malformed(
      file,
      `${label} data_offsets [${begin}, ${end}] exceed the data section (${dataSize} bytes)`,
    )
  }
  if (end - begin !== expected) {
    throw malformed(
      file,
      `${label} data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${dtype} ${formatShape(shape as number[])} needs ${expected}`,
    )
  }
  return {
    name,
    info: { dtype: dtype as DType, shape: [...(shape as number[])], byteLength: expected },
    begin,
    end,
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
