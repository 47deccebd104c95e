import { crc32 } from 'node:zlib'

import { Inflate } from 'fflate'

import { CoralError } from '../errors.js'
import type { FileSource } from './file-source.js'
import { malformed, quote, unsupported } from './format-errors.js'

/** Largest central directory accepted, in bytes. */
export const MAX_ZIP_DIRECTORY_BYTES = 256 << 20

/** One member of a zip archive, from the central directory. */
export interface ZipEntry {
  /** Member path inside the archive. */
  readonly name: string
  /** 0 (stored) or 8 (deflated). */
  readonly method: 0 | 8
  /** Size of the member's data as stored, in bytes. */
  readonly compressedSize: number
  /** Size of the member's data once inflated, in bytes. */
  readonly size: number
  /** CRC-32 of the inflated data. */
  readonly crc32: number
  /** Offset of the member's local header in the file. */
  readonly localHeaderOffset: number
}

/** A zip archive whose central directory has been read and checked. */
export interface ZipArchive {
  readonly source: FileSource
  /** Members in central-directory order. */
  readonly entries: ZipEntry[]
  /** Members by name. */
  readonly byName: Map<string, ZipEntry>
  /** Offset where the central directory starts; all member data lies before it. */
  readonly directoryOffset: number
}

const EOCD_SIG = 0x06054b50
const ZIP64_LOCATOR_SIG = 0x07064b50
const ZIP64_EOCD_SIG = 0x06064b50
const CENTRAL_SIG = 0x02014b50
const LOCAL_SIG = 0x04034b50

/**
 * Reads and checks the central directory of a zip archive.
 *
 * Every size and offset is checked against the file before anything is read
 * or allocated, so a hostile size field costs nothing. ZIP64 is supported;
 * encrypted members and methods other than stored and deflated raise
 * `Unsupported`.
 */
export async function openZip(source: FileSource): Promise<ZipArchive> {
  const { file, size } = source

  // End of central directory: the last 22..65557 bytes.
  const tailLength = Math.min(size, 22 + 0xffff)
  if (tailLength < 22) {
    throw malformed(file, 'is too short to be a zip archive')
  }
  const tailStart = size - tailLength
  const tail = await source.read(tailStart, tailLength, 'zip trailer')
  const tailView = view(tail)
  let eocd = -1
  for (let i = tail.length - 22; i >= 0; i--) {
    if (
      tailView.getUint32(i, true) === EOCD_SIG &&
      i + 22 + tailView.getUint16(i + 20, true) <= tail.length
    ) {
      eocd = i
      break
    }
  }
  if (eocd < 0) {
    throw malformed(file, 'has no zip end-of-central-directory record')
  }
  let count: number = tailView.getUint16(eocd + 10, true)
  let directorySize: number = tailView.getUint32(eocd + 12, true)
  let directoryOffset: number = tailView.getUint32(eocd + 16, true)
  const eocdOffset = tailStart + eocd

  // ZIP64 end of central directory, when a field overflowed.
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    if (eocdOffset < 20) {
      throw malformed(file, 'zip64 locator is missing')
    }
    const locator = view(await source.read(eocdOffset - 20, 20, 'zip64 locator'))
    if (locator.getUint32(0, true) !== ZIP64_LOCATOR_SIG) {
      throw malformed(file, 'zip64 locator is missing')
    }
    const recordOffset = bigToSafe(file, locator.getBigUint64(8, true), 'zip64 record offset')
    if (recordOffset + 56 > eocdOffset - 20) {
      throw malformed(file, `zip64 record offset ${recordOffset} lies outside the archive`)
    }
    const record = view(await source.read(recordOffset, 56, 'zip64 record'))
    if (record.getUint32(0, true) !== ZIP64_EOCD_SIG) {
      throw malformed(file, 'zip64 end-of-central-directory record has a bad signature')
    }
    count = bigToSafe(file, record.getBigUint64(32, true), 'zip64 entry count')
    directorySize = bigToSafe(file, record.getBigUint64(40, true), 'zip64 directory size')
    directoryOffset = bigToSafe(file, record.getBigUint64(48, true), 'zip64 directory offset')
  }

  // Central directory bounds
  if (directoryOffset + directorySize > eocdOffset) {
    throw malformed(
      file,
      `zip central directory (offset ${directoryOffset}, ${directorySize} bytes) exceeds the archive (${eocdOffset} bytes before its end record)`,
    )
  }
  if (directorySize > MAX_ZIP_DIRECTORY_BYTES) {
    throw malformed(file, `zip central directory of ${directorySize} bytes exceeds the limit`)
  }
  if (count * 46 > directorySize) {
    throw malformed(
      file,
      `zip claims ${count} entries but its directory has only ${directorySize} bytes`,
    )
  }
  const directory = await source.read(directoryOffset, directorySize, 'zip central directory')
  const dir = view(directory)

  // Entries
  const entries: ZipEntry[] = []
  const byName = new Map<string, ZipEntry>()
  let pos = 0
  for (let n = 0; n < count; n++) {
    if (pos + 46 > directory.length || dir.getUint32(pos, true) !== CENTRAL_SIG) {
      throw malformed(file, `zip central directory entry ${n} is damaged`)
    }
    const flags = dir.getUint16(pos + 8, true)
    const method = dir.getUint16(pos + 10, true)
    const crc = dir.getUint32(pos + 16, true)
    let compressedSize: number = dir.getUint32(pos + 20, true)
    let entrySize: number = dir.getUint32(pos + 24, true)
    const nameLength = dir.getUint16(pos + 28, true)
    const extraLength = dir.getUint16(pos + 30, true)
    const commentLength = dir.getUint16(pos + 32, true)
    let localHeaderOffset: number = dir.getUint32(pos + 42, true)
    const end = pos + 46 + nameLength + extraLength + commentLength
    if (end > directory.length) {
      throw malformed(file, `zip central directory entry ${n} runs past the directory`)
    }
    const nameBytes = directory.subarray(pos + 46, pos + 46 + nameLength)
    const name = Buffer.from(nameBytes).toString(flags & 0x800 ? 'utf8' : 'latin1')

    // ZIP64 extra field: only the overflowed fields are present, in this order.
    if (
      compressedSize === 0xffffffff ||
      entrySize === 0xffffffff ||
      localHeaderOffset === 0xffffffff
    ) {
      const extra = directory.subarray(pos + 46 + nameLength, pos + 46 + nameLength + extraLength)
      const fields = zip64Fields(file, name, extra)
      let k = 0
      const next = (): number => {
        const value = fields[k++]
        if (value === undefined) {
          throw malformed(file, `zip entry ${quote(name)} lacks its zip64 sizes`)
        }
        return value
      }
      if (entrySize === 0xffffffff) entrySize = next()
      if (compressedSize === 0xffffffff) compressedSize = next()
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = next()
    }
    pos = end

    // Checks
    if (flags & 0x1) {
      throw unsupported(file, `zip entry ${quote(name)} is encrypted`)
    }
    if (method !== 0 && method !== 8) {
      throw unsupported(file, `zip entry ${quote(name)} uses compression method ${method}`)
    }
    if (method === 0 && compressedSize !== entrySize) {
      throw malformed(
        file,
        `zip entry ${quote(name)} is stored but claims ${entrySize} bytes in ${compressedSize}`,
      )
    }
    if (localHeaderOffset + 30 + compressedSize > directoryOffset) {
      throw malformed(
        file,
        `zip entry ${quote(name)} (offset ${localHeaderOffset}, ${compressedSize} bytes) lies outside the archive data`,
      )
    }
    if (byName.has(name)) {
      throw malformed(file, `zip entry ${quote(name)} appears twice`)
    }
    const entry: ZipEntry = {
      name,
      method,
      compressedSize,
      size: entrySize,
      crc32: crc,
      localHeaderOffset,
    }
    entries.push(entry)
    byName.set(name, entry)
  }
  return { source, entries, byName, directoryOffset }
}

/**
 * Offset of a member's data, found through its local header.
 *
 * Checks that the data lies wholly before the central directory.
 */
export async function zipDataOffset(archive: ZipArchive, entry: ZipEntry): Promise<number> {
  const { source } = archive
  const local = view(
    await source.read(entry.localHeaderOffset, 30, `zip entry ${quote(entry.name)} header`),
  )
  if (local.getUint32(0, true) !== LOCAL_SIG) {
    throw malformed(source.file, `zip entry ${quote(entry.name)} has a bad local header`)
  }
  const start = entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true)
  if (start + entry.compressedSize > archive.directoryOffset) {
    throw malformed(
      source.file,
      `zip entry ${quote(entry.name)} data (${entry.compressedSize} bytes at ${start}) runs into the central directory`,
    )
  }
  return start
}

/**
 * Reads a member whole, inflating it if needed, and checks size and CRC-32.
 *
 * Inflation runs in small steps and stops as soon as the output passes the
 * size the directory declared, so memory never exceeds the real data of an
 * honest member, whatever its size fields claim.
 */
export async function readZipEntry(archive: ZipArchive, entry: ZipEntry): Promise<Uint8Array> {
  const { source } = archive
  const label = `zip entry ${quote(entry.name)}`
  const start = await zipDataOffset(archive, entry)
  const raw = await source.read(start, entry.compressedSize, `${label} data`)
  const data = entry.method === 0 ? raw : inflateBounded(source.file, label, raw, entry.size)
  if (data.length !== entry.size) {
    throw malformed(
      source.file,
      `${label} inflates to ${data.length} bytes, not the ${entry.size} it declares`,
    )
  }
  if (crc32(data) >>> 0 !== entry.crc32) {
    throw malformed(source.file, `${label} fails its CRC-32 check`)
  }
  return data
}

/**
 * Reads `length` bytes at `offset` inside a stored member without reading the rest.
 *
 * Used for PyTorch storages, which torch writes uncompressed. The caller
 * checks that the range lies inside the member. No CRC check is possible on
 * a partial read.
 */
export async function readStoredRange(
  archive: ZipArchive,
  entry: ZipEntry,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const start = await zipDataOffset(archive, entry)
  return archive.source.read(start + offset, length, `zip entry ${quote(entry.name)} data`)
}

const INFLATE_STEP = 16 << 10

function inflateBounded(file: string, label: string, raw: Uint8Array, limit: number): Uint8Array {
  const chunks: Uint8Array[] = []
  let total = 0
  let tooLarge = false
  const inflater = new Inflate((chunk) => {
    total += chunk.length
    if (total > limit) {
      tooLarge = true
    } else {
      chunks.push(chunk)
    }
  })
  try {
    for (let at = 0; at < raw.length || at === 0; at += INFLATE_STEP) {
      const end = Math.min(raw.length, at + INFLATE_STEP)
      inflater.push(raw.subarray(at, end), end === raw.length)
      if (tooLarge) {
        throw malformed(file, `${label} inflates past the ${limit} bytes it declares`)
      }
      if (end === raw.length) break
    }
  } catch (error) {
    if (error instanceof CoralError) throw error
    throw malformed(
      file,
      `${label} is not valid deflate data (${(error as Error).message})`,
      {},
      error,
    )
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return out
}

function zip64Fields(file: string, name: string, extra: Uint8Array): number[] {
  const v = view(extra)
  let pos = 0
  while (pos + 4 <= extra.length) {
    const id = v.getUint16(pos, true)
    const length = v.getUint16(pos + 2, true)
    if (pos + 4 + length > extra.length) break
    if (id === 0x0001) {
      const values: number[] = []
      for (let i = 0; i + 8 <= length; i += 8) {
        values.push(
          bigToSafe(file, v.getBigUint64(pos + 4 + i, true), `zip entry ${quote(name)} size`),
        )
      }
      return values
    }
    pos += 4 + length
  }
  return []
}

function bigToSafe(file: string, value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw malformed(file, `${what} ${value} is too large`)
  }
  return Number(value)
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
