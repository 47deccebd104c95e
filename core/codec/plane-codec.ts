/**
 * Per-plane compression of byte planes.
 *
 * Each plane is compressed with zstd only when a sampled byte histogram says
 * it can shrink: on trained float weights the low mantissa planes are close to
 * random (8 bits of entropy per byte) and zstd would spend most of its time
 * failing on them. A plane that does not shrink is stored as is.
 *
 * Payload layout, plane after plane: a mode byte (0 stored, 1 zstd), a
 * little-endian u32 length, then that many bytes.
 */
import { CoralError } from '../errors.js'
import { joinPlanes, splitPlanes } from './byte-planes.js'
import { zstdCompress, zstdDecompress } from './zstd.js'

/** zstd level for planes; level 1 compressed exponent planes as well as 3 on real weights, 3x faster. */
export const PLANE_ZSTD_LEVEL = 1

/**
 * Planes whose sampled entropy is above this many bits per byte are stored
 * without compression. On every plane of ../shared/zoo (standalone and as
 * deltas, fp32 and bf16, zstd levels 1 and 9) those above 7.8 bits saved 0
 * bytes, those between 7.5 and 7.8 saved 4.3%.
 */
const RANDOM_ENTROPY_BITS = 7.8

const SAMPLE_BYTES = 16384

/** Encodes `data` as byte planes, each compressed when that pays. */
export function encodePlanes(
  data: Uint8Array,
  itemSize: number,
  level = PLANE_ZSTD_LEVEL,
): Uint8Array {
  // The planes live only until they are compressed or copied into the
  // payload, so small tensors split into one reused buffer: a new one per
  // tensor made garbage collection a sixth of the ingest.
  const into = itemSize > 1 && data.length <= SCRATCH_MAX_BYTES ? scratch(data.length) : undefined
  return encodeSplitPlanes(splitPlanes(data, itemSize, into), itemSize, level)
}

/** Largest tensor whose planes go to the reused buffer (which stays allocated). */
const SCRATCH_MAX_BYTES = 16 * 1024 * 1024

let scratchBuffer = new Uint8Array(0)

function scratch(length: number): Uint8Array {
  if (scratchBuffer.length < length) {
    scratchBuffer = new Uint8Array(
      Math.min(SCRATCH_MAX_BYTES, Math.max(length, scratchBuffer.length * 2)),
    )
  }
  return scratchBuffer.subarray(0, length)
}

/** `encodePlanes` for bytes already split into `itemSize` planes laid end to end. */
export function encodeSplitPlanes(
  planes: Uint8Array,
  itemSize: number,
  level = PLANE_ZSTD_LEVEL,
): Uint8Array {
  const planeLength = planes.length / itemSize
  const parts: Uint8Array[] = []
  let total = 0
  for (let p = 0; p < itemSize; p++) {
    const plane = planes.subarray(p * planeLength, (p + 1) * planeLength)
    let mode = 0
    let body = plane
    if (plane.length > 0 && sampledEntropy(plane) < RANDOM_ENTROPY_BITS) {
      const compressed = zstdCompress(plane, level)
      if (compressed.length < plane.length) {
        mode = 1
        body = compressed
      }
    }
    const head = new Uint8Array(5)
    head[0] = mode
    new DataView(head.buffer).setUint32(1, body.length, true)
    parts.push(head, body)
    total += 5 + body.length
  }
  const out = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Decodes `encodePlanes` output back to `length` bytes of `itemSize`-byte elements. */
export function decodePlanes(payload: Uint8Array, length: number, itemSize: number): Uint8Array {
  return joinPlanes(decodeSplitPlanes(payload, length, itemSize), itemSize)
}

/** Decodes `encodePlanes` output to its planes, laid end to end and not yet joined. */
export function decodeSplitPlanes(
  payload: Uint8Array,
  length: number,
  itemSize: number,
): Uint8Array {
  const planeLength = length / itemSize
  const planes = new Uint8Array(length)
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  let offset = 0
  for (let p = 0; p < itemSize; p++) {
    if (offset + 5 > payload.length) {
      throw new CoralError('ObjectCorrupt', 'plane payload is truncated')
    }
    const mode = payload[offset]!
    const size = view.getUint32(offset + 1, true)
    offset += 5
    if (offset + size > payload.length) {
      throw new CoralError('ObjectCorrupt', 'plane payload is truncated')
    }
    const body = payload.subarray(offset, offset + size)
    offset += size
    if (mode === 0) {
      if (size !== planeLength) {
        throw new CoralError(
          'ObjectCorrupt',
          `stored plane is ${size} bytes, expected ${planeLength}`,
        )
      }
      planes.set(body, p * planeLength)
    } else if (mode === 1) {
      zstdDecompress(body, planeLength, planes.subarray(p * planeLength, (p + 1) * planeLength))
    } else {
      throw new CoralError('ObjectCorrupt', `unknown plane mode ${mode}`)
    }
  }
  if (offset !== payload.length) {
    throw new CoralError('ObjectCorrupt', 'plane payload has trailing bytes')
  }
  return planes
}

/** Shannon entropy (bits per byte) of an evenly spaced sample of `bytes`. */
export function sampledEntropy(bytes: Uint8Array): number {
  const step = Math.max(1, Math.floor(bytes.length / SAMPLE_BYTES))
  const { entropy, n } = entropyOf(bytes, step)
  // A small sample cannot show 8 bits: scale the bar by the sample's maximum.
  return n >= 4096 ? entropy : entropy + (8 - Math.log2(Math.min(n, 256)))
}

/**
 * About the size of `encodePlanes` output for already split `planes`, from
 * each plane's order-0 entropy instead of compressing it (several times
 * cheaper). zstd codes such planes' literals with Huffman codes close to that
 * entropy, and does better where long runs repeat, so this slightly
 * overstates sparse planes. Planners use it to rank candidates only.
 */
export function entropyEstimatePlanes(planes: Uint8Array, itemSize: number): number {
  const planeLength = planes.length / itemSize
  let total = 0
  for (let p = 0; p < itemSize; p++) {
    const { entropy } = entropyOf(planes.subarray(p * planeLength, (p + 1) * planeLength), 1)
    const coded =
      entropy < RANDOM_ENTROPY_BITS ? Math.ceil((entropy * planeLength) / 8) : planeLength
    total += 5 + Math.min(coded, planeLength)
  }
  return total
}

/** Shannon entropy (bits per byte) of every `step`-th byte, and how many were counted. */
function entropyOf(bytes: Uint8Array, step: number): { entropy: number; n: number } {
  const counts = new Uint32Array(256)
  let n = 0
  for (let i = 0; i < bytes.length; i += step) {
    counts[bytes[i]!]!++
    n++
  }
  let entropy = 0
  for (const c of counts) {
    if (c > 0) {
      const p = c / n
      entropy -= p * Math.log2(p)
    }
  }
  return { entropy, n }
}
