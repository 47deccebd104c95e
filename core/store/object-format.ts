/**
 * The on-disk form of one stored tensor object.
 *
 * Layout: the magic `CRLO`, a format version byte, a little-endian u32 header
 * length, a UTF-8 JSON header, then the payload. The header carries dtype,
 * shape, raw length, codec and (for deltas) the base tensor id, so an object
 * can be decoded and verified without any commit.
 */
import { CoralError } from '../errors.js'
import { isDType, type DType } from '../tensor/dtype.js'

/** How an object's payload encodes the tensor bytes. */
export type CodecId = 'raw' | 'planes-zstd' | DeltaCodecId

/** Codecs that store a tensor relative to a base tensor named in the header. */
export const DELTA_CODECS = ['diff-planes-zstd', 'xor-planes-zstd'] as const
export type DeltaCodecId = (typeof DELTA_CODECS)[number]

/** True when objects of `codec` are deltas against `header.base`. */
export function isDeltaCodec(codec: CodecId | undefined): codec is DeltaCodecId {
  return codec !== undefined && (DELTA_CODECS as readonly string[]).includes(codec)
}

/** The JSON header of a stored object. */
export interface ObjectHeader {
  dtype: DType
  shape: number[]
  /** Raw tensor byte length. */
  length: number
  codec: CodecId
  /** For delta codecs: the id of the tensor the payload is relative to. */
  base?: string
  /** For deltas: cosine similarity to the base, recorded at encode time. */
  similarity?: number
  /** Encoded size this tensor had standalone, recorded when stored as a delta. */
  standaloneBytes?: number
}

const MAGIC = [0x43, 0x52, 0x4c, 0x4f] // "CRLO"
const VERSION = 1
const PREFIX = 9
const MAX_HEADER = 1 << 20

/** Serialises an object: prefix, header, payload. */
export function packObject(header: ObjectHeader, payload: Uint8Array): Uint8Array {
  const head = objectHead(header)
  const out = new Uint8Array(head.length + payload.length)
  out.set(head, 0)
  out.set(payload, head.length)
  return out
}

/**
 * The bytes of an object before its payload (prefix and header). An object
 * is these followed by the payload; packs write the two parts without first
 * joining them, which would copy every payload once more.
 */
export function objectHead(header: ObjectHeader): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header))
  const out = new Uint8Array(PREFIX + json.length)
  out.set(MAGIC, 0)
  out[4] = VERSION
  new DataView(out.buffer).setUint32(5, json.length, true)
  out.set(json, PREFIX)
  return out
}

/** Parses an object file's bytes; throws `ObjectCorrupt` on any damage. */
export function unpackObject(
  bytes: Uint8Array,
  id: string,
): { header: ObjectHeader; payload: Uint8Array } {
  const corrupt = (why: string) =>
    new CoralError('ObjectCorrupt', `Stored object ${id.slice(0, 12)} is damaged: ${why}`, { id })
  if (bytes.length < PREFIX || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw corrupt('bad magic')
  }
  if (bytes[4] !== VERSION) {
    throw corrupt(`unknown format version ${bytes[4]}`)
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(5, true)
  if (headerLength > MAX_HEADER || PREFIX + headerLength > bytes.length) {
    throw corrupt('header length out of range')
  }
  let header: ObjectHeader
  try {
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(
        bytes.subarray(PREFIX, PREFIX + headerLength),
      ),
    )
  } catch {
    throw corrupt('header is not valid JSON')
  }
  if (
    !header ||
    !isDType(header.dtype) ||
    !Array.isArray(header.shape) ||
    !Number.isSafeInteger(header.length) ||
    !['raw', 'planes-zstd', ...DELTA_CODECS].includes(header.codec) ||
    (isDeltaCodec(header.codec) && typeof header.base !== 'string')
  ) {
    throw corrupt('header fields are invalid')
  }
  return { header, payload: bytes.subarray(PREFIX + headerLength) }
}

/** Reads only the header from the first bytes of an object file. */
export function headerLengthOf(prefix: Uint8Array): number | undefined {
  if (prefix.length < PREFIX || MAGIC.some((b, i) => prefix[i] !== b)) {
    return undefined
  }
  return PREFIX + new DataView(prefix.buffer, prefix.byteOffset).getUint32(5, true)
}
