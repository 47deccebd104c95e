/**
 * The tensor object store: objects by tensor id under `objects/`, either as
 * loose files (`objects/ab/cdef...`) or as records in pack files
 * (`objects/pack/`, see packs.ts). Staging writes a batch as one pack;
 * re-encoding writes loose files, which take precedence over packed records
 * until `repack` drops the shadowed ones.
 *
 * Objects are immutable in content: an id always decodes to the same bytes.
 * Their encoding may change (standalone to delta and back) through
 * `replaceEncoding`, which verifies the new form decodes to the id before it
 * atomically takes the old one's place. Every read re-hashes the decoded
 * bytes and raises `ObjectCorrupt` on a mismatch.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs'
import { readdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'

import { decodePayload, encodeStandalone, type EncodedObject } from '../codec/tensor-codec.js'
import { ensureZstd } from '../codec/zstd.js'
import { CoralError } from '../errors.js'
import type { Tensor } from '../tensor/tensor.js'
import { writeFileAtomic, TEMP_PREFIX } from './atomic-write.js'
import {
  headerLengthOf,
  objectHead,
  packObject,
  unpackObject,
  type ObjectHeader,
} from './object-format.js'
import { mapConcurrent } from './concurrency.js'
import { PackSet, type PackRecord } from './packs.js'
import { isMissing } from './read-if-present.js'
import { isObjectId, shortId, tensorId } from './tensor-id.js'

/** Deepest base chain a read follows; migration keeps chains at depth 1. */
export const MAX_CHAIN_DEPTH = 4

/** Result of storing a tensor. */
export interface WriteResult {
  id: string
  /** False when an object with this id already existed (exact duplicate). */
  written: boolean
  /** Size of the object file on disk. */
  storedBytes: number
}

export class ObjectStore {
  /** Fan-out folders known to exist, to skip a mkdir per object. */
  private readonly knownFolders = new Set<string>()

  readonly packs: PackSet

  /** @param dir the `objects` folder of a repository */
  constructor(readonly dir: string) {
    this.packs = new PackSet(path.join(dir, 'pack'))
  }

  private async writeObjectFile(id: string, bytes: Uint8Array): Promise<void> {
    const folder = id.slice(0, 2)
    try {
      await writeFileAtomic(this.pathOf(id), bytes, { parentExists: this.knownFolders.has(folder) })
    } catch (error) {
      // The folder went away (a restore replaced the store): create it again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !this.knownFolders.has(folder)) {
        throw error
      }
      await writeFileAtomic(this.pathOf(id), bytes)
    }
    this.knownFolders.add(folder)
  }

  /** Path of the object file for `id`. */
  pathOf(id: string): string {
    return path.join(this.dir, id.slice(0, 2), id.slice(2))
  }

  async has(id: string): Promise<boolean> {
    return (await this.storedSize(id)) !== undefined
  }

  /**
   * Stores many tensors as one pack (one file, one fsync), skipping ids
   * already present. `encode` may supply a different encoding for a tensor
   * (mixed mode stores deltas this way); it defaults to standalone.
   */
  async writeMany(
    items: readonly { id: string; tensor: Tensor }[],
    encode: (id: string, tensor: Tensor) => Promise<EncodedObject | undefined> = async () =>
      undefined,
  ): Promise<WriteResult[]> {
    await ensureZstd()
    // Indexed by item, so the pack's layout follows the items' order whichever
    // encoding finishes first.
    const records: (PackRecord | undefined)[] = []
    const seen = new Set<string>()
    const results = await mapConcurrent(items, 4, async ({ id, tensor }, index) => {
      const existing = await this.storedSize(id)
      if (existing !== undefined || seen.has(id)) {
        return { id, written: false, storedBytes: existing ?? 0 }
      }
      seen.add(id)
      const encoded = (await encode(id, tensor)) ?? encodeStandalone(tensor)
      const head = objectHead(encoded.header)
      records[index] = [id, [head, encoded.payload]]
      return { id, written: true, storedBytes: head.length + encoded.payload.length }
    })
    const written = records.filter((record) => record !== undefined)
    if (written.length > 0) {
      await this.packs.write(written)
    }
    return results
  }

  /** Where an object's bytes are: a loose file, or a range of a pack file. */
  async locate(id: string): Promise<{ file: string; offset: number; length: number } | undefined> {
    const loose = await stat(this.pathOf(id)).catch(undefinedIfMissing)
    if (loose) {
      return { file: this.pathOf(id), offset: 0, length: loose.size }
    }
    const packed = await this.packs.locate(id)
    return packed
      ? {
          file: path.join(this.packs.dir, packed.pack),
          offset: packed.offset,
          length: packed.length,
        }
      : undefined
  }

  /** Stores a tensor standalone unless its id is already present. */
  async write(tensor: Tensor, knownId?: string): Promise<WriteResult> {
    const id = knownId ?? tensorId(tensor)
    const existing = await this.storedSize(id)
    if (existing !== undefined) {
      return { id, written: false, storedBytes: existing }
    }
    await ensureZstd()
    const encoded = encodeStandalone(tensor)
    const bytes = packObject(encoded.header, encoded.payload)
    await this.writeObjectFile(id, bytes)
    return { id, written: true, storedBytes: bytes.length }
  }

  /**
   * Replaces the stored form of `id` with `encoded`, after proving that it
   * decodes to bytes hashing to `id`. Returns the new object's size.
   */
  async replaceEncoding(id: string, encoded: EncodedObject, knownBase?: Tensor): Promise<number> {
    await ensureZstd()
    // A base the caller already read (and so verified) need not be decoded again.
    const loadBase = (base: string) =>
      knownBase && base === encoded.header.base ? Promise.resolve(knownBase) : this.read(base)
    const data = await decodePayload(encoded.header, encoded.payload, loadBase)
    const check = tensorId({ dtype: encoded.header.dtype, shape: encoded.header.shape, data })
    if (check !== id) {
      throw new CoralError('Internal', `New encoding of ${shortId(id)} does not decode to its id`, {
        id,
      })
    }
    const bytes = packObject(encoded.header, encoded.payload)
    await this.writeObjectFile(id, bytes)
    return bytes.length
  }

  /** Stores a given encoding of `id` as a loose object (verified like `replaceEncoding`). */
  async writeEncoded(id: string, encoded: EncodedObject): Promise<number> {
    return this.replaceEncoding(id, encoded)
  }

  /** Size of the object file, or undefined when absent. */
  async storedSize(id: string): Promise<number | undefined> {
    const loose = statSync(this.pathOf(id), { throwIfNoEntry: false })
    return loose ? loose.size : (await this.packs.locate(id))?.length
  }

  /** Reads an object's header (dtype, shape, codec, base) without its payload. */
  async readHeader(id: string): Promise<{ header: ObjectHeader; storedBytes: number }> {
    // Synchronous reads: headers come from the page cache, where an async
    // round trip through the thread pool costs more than the read itself.
    const loose = this.readLoose(id, 4096)
    const packed = loose ? undefined : await this.packs.locate(id)
    const prefix = loose?.bytes ?? (packed ? await this.packs.readRecord(id, 4096) : undefined)
    const storedBytes = loose?.size ?? packed?.length
    if (!prefix || storedBytes === undefined) {
      throw new CoralError('NotFound', `Tensor object ${shortId(id)} is missing from the store`, {
        id,
      })
    }
    const end = headerLengthOf(prefix)
    const bytes =
      end !== undefined && end <= prefix.length
        ? prefix
        : (this.readLoose(id)?.bytes ?? (await this.packs.readRecord(id)))
    if (!bytes) {
      throw new CoralError('NotFound', `Tensor object ${shortId(id)} is missing from the store`, {
        id,
      })
    }
    return { header: unpackObject(bytes, id).header, storedBytes }
  }

  /** The first `maxLength` bytes of a loose object file and its size, or undefined. */
  private readLoose(
    id: string,
    maxLength = Number.POSITIVE_INFINITY,
  ): { bytes: Uint8Array; size: number } | undefined {
    let fd: number
    try {
      fd = openSync(this.pathOf(id), 'r')
    } catch (error) {
      // Not a loose object; any other failure (EIO, EMFILE) is not absence.
      return undefinedIfMissing(error)
    }
    try {
      const size = fstatSync(fd).size
      const bytes = new Uint8Array(Math.min(size, maxLength))
      let offset = 0
      while (offset < bytes.length) {
        const n = readSync(fd, bytes, offset, bytes.length - offset, offset)
        if (n === 0) break
        offset += n
      }
      return { bytes: offset === bytes.length ? bytes : bytes.subarray(0, offset), size }
    } finally {
      closeSync(fd)
    }
  }

  /**
   * Reads, decodes and verifies a tensor.
   *
   * Raises `NotFound` for a missing object and `ObjectCorrupt` when the
   * stored bytes do not decode to the id. A delta's base is read the same
   * way, or through `loadBase` (called with the base id and its depth), which
   * must return a verified tensor: a cache of verified tensors saves decoding
   * a shared reference once per member.
   */
  async read(
    id: string,
    depth = 0,
    loadBase?: (id: string, depth: number) => Promise<Tensor>,
  ): Promise<Tensor> {
    if (depth > MAX_CHAIN_DEPTH) {
      throw new CoralError(
        'ObjectCorrupt',
        `Delta chain of ${shortId(id)} is deeper than ${MAX_CHAIN_DEPTH}`,
        { id },
      )
    }
    const bytes = this.readLoose(id)?.bytes ?? (await this.packs.readRecord(id))
    if (!bytes) {
      throw new CoralError('NotFound', `Tensor object ${shortId(id)} is missing from the store`, {
        id,
      })
    }
    await ensureZstd()
    const { header, payload } = unpackObject(bytes, id)
    let data: Uint8Array
    try {
      data = await decodePayload(header, payload, (base) =>
        loadBase ? loadBase(base, depth + 1) : this.read(base, depth + 1),
      )
    } catch (error) {
      if (
        error instanceof CoralError &&
        error.code === 'ObjectCorrupt' &&
        error.data.id === undefined
      ) {
        throw new CoralError(
          'ObjectCorrupt',
          `Stored object ${shortId(id)} is damaged: ${error.message}`,
          { id },
        )
      }
      throw error
    }
    const tensor: Tensor = { dtype: header.dtype, shape: header.shape, data }
    if (tensorId(tensor) !== id) {
      throw new CoralError(
        'ObjectCorrupt',
        `Stored object ${shortId(id)} does not hash to its id`,
        { id },
      )
    }
    return tensor
  }

  /** Lists every object id in the store, loose or packed, each once, sorted. */
  async *ids(): AsyncGenerator<string> {
    const all = new Set([...(await this.looseIds()), ...(await this.packs.ids())])
    yield* [...all].sort()
  }

  /** Ids stored as loose files. */
  async looseIds(): Promise<string[]> {
    const out: string[] = []
    let fanout: string[]
    try {
      fanout = await readdir(this.dir)
    } catch {
      return out
    }
    for (const prefix of fanout.sort()) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) {
        continue
      }
      for (const rest of (await readdir(path.join(this.dir, prefix))).sort()) {
        if (isObjectId(prefix + rest)) {
          out.push(prefix + rest)
        }
      }
    }
    return out
  }

  /**
   * Drops packed records that a loose file shadows (left by re-encoding), so
   * every id is stored once. Returns the bytes freed.
   */
  async repack(): Promise<number> {
    const loose = new Set(await this.looseIds())
    return (await this.packs.rewriteWithout((id) => loose.has(id))).freedBytes
  }

  /** Paths of temporary files left by killed writers. */
  async tempFiles(): Promise<string[]> {
    const found: string[] = []
    let fanout: string[]
    try {
      fanout = await readdir(this.dir)
    } catch {
      return found
    }
    // Pack files whose index was never written are leftovers too.
    found.push(...(await this.packs.diskUsage()).unindexed)
    for (const name of await readdir(this.packs.dir).catch(() => [] as string[])) {
      if (name.startsWith(TEMP_PREFIX)) {
        found.push(path.join(this.packs.dir, name))
      }
    }
    for (const entry of fanout) {
      const full = path.join(this.dir, entry)
      if (entry.startsWith(TEMP_PREFIX)) {
        found.push(full)
        continue
      }
      if (/^[0-9a-f]{2}$/.test(entry)) {
        for (const name of await readdir(full)) {
          if (name.startsWith(TEMP_PREFIX)) {
            found.push(path.join(full, name))
          }
        }
      }
    }
    return found
  }

  /**
   * Bytes the pack indexes would take if only `ids` stayed packed (those of
   * them that are packed now and have no loose file). Planners add this to
   * predicted store sizes, since stored bytes are measured with the indexes.
   */
  async packIndexBytes(ids: Iterable<string>): Promise<{ bytes: number; uncertainty: number }> {
    const loose = new Set(await this.looseIds())
    const packsKept = new Set<string>()
    let bytes = 0
    let uncertainty = 0
    for (const id of ids) {
      const location = loose.has(id) ? undefined : await this.packs.locate(id)
      if (location) {
        packsKept.add(location.pack)
        const offset = String(location.offset)
        bytes += `["${id}",${offset},${location.length}],`.length
        // A rewritten pack can only move a record nearer its start.
        uncertainty += offset.length - 1
      }
    }
    for (const pack of packsKept) {
      bytes += `{"version":1,"pack":"${pack}","entries":[]}`.length - 1
    }
    return { bytes, uncertainty }
  }

  /** Removes an object, loose or packed. */
  async delete(id: string): Promise<void> {
    await this.deleteMany([id])
  }

  /** Removes many objects; each affected pack is rewritten once. */
  async deleteMany(ids: Iterable<string>): Promise<void> {
    const doomed = new Set(ids)
    for (const id of doomed) {
      await rm(this.pathOf(id), { force: true })
    }
    await this.packs.rewriteWithout((id) => doomed.has(id))
  }

  /** Total size of the store in bytes, measured on disk: loose objects, packs and their indexes. */
  async totalBytes(): Promise<number> {
    let total = (await this.packs.diskUsage()).bytes
    for (const id of await this.looseIds()) {
      // An object removed since the listing (a concurrent repack) counts 0.
      total += (await stat(this.pathOf(id)).catch(undefinedIfMissing))?.size ?? 0
    }
    return total
  }
}

/** For `.catch()`: undefined when the file does not exist; any other error is rethrown. */
function undefinedIfMissing(error: unknown): undefined {
  if (isMissing(error)) return undefined
  throw error
}
