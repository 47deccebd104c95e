/**
 * The tensor object store: one file per tensor id under `objects/`.
 *
 * Objects are immutable in content: an id always decodes to the same bytes.
 * Their encoding may change (standalone to delta and back) through
 * `replaceEncoding`, which verifies the new form decodes to the id before it
 * atomically takes the old one's place. Every read re-hashes the decoded
 * bytes and raises `ObjectCorrupt` on a mismatch.
 */
import { open, readdir, readFile, rm, stat } from 'node:fs/promises'
import path from 'node:path'

import { decodePayload, encodeStandalone, type EncodedObject } from '../codec/tensor-codec.js'
import { ensureZstd } from '../codec/zstd.js'
import { CoralError } from '../errors.js'
import type { Tensor } from '../tensor/tensor.js'
import { writeFileAtomic, TEMP_PREFIX } from './atomic-write.js'
import { headerLengthOf, packObject, unpackObject, type ObjectHeader } from './object-format.js'
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

  /** @param dir the `objects` folder of a repository */
  constructor(readonly dir: string) {}

  private async writeObjectFile(id: string, bytes: Uint8Array): Promise<void> {
    const folder = id.slice(0, 2)
    await writeFileAtomic(this.pathOf(id), bytes, { parentExists: this.knownFolders.has(folder) })
    this.knownFolders.add(folder)
  }

  /** Path of the object file for `id`. */
  pathOf(id: string): string {
    return path.join(this.dir, id.slice(0, 2), id.slice(2))
  }

  async has(id: string): Promise<boolean> {
    try {
      await stat(this.pathOf(id))
      return true
    } catch {
      return false
    }
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
  async replaceEncoding(id: string, encoded: EncodedObject): Promise<number> {
    await ensureZstd()
    const data = await decodePayload(encoded.header, encoded.payload, (base) => this.read(base))
    const check = tensorId({ dtype: encoded.header.dtype, shape: encoded.header.shape, data })
    if (check !== id) {
      throw new CoralError('Internal', `New encoding of ${shortId(id)} does not decode to its id`, { id })
    }
    const bytes = packObject(encoded.header, encoded.payload)
    await this.writeObjectFile(id, bytes)
    return bytes.length
  }

  /** Size of the object file, or undefined when absent. */
  async storedSize(id: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(id))).size
    } catch {
      return undefined
    }
  }

  /** Reads an object's header (dtype, shape, codec, base) without its payload. */
  async readHeader(id: string): Promise<{ header: ObjectHeader; storedBytes: number }> {
    const file = this.pathOf(id)
    let handle
    try {
      handle = await open(file, 'r')
    } catch {
      throw new CoralError('NotFound', `Tensor object ${shortId(id)} is missing from the store`, { id })
    }
    try {
      const { size } = await handle.stat()
      const prefix = new Uint8Array(Math.min(size, 4096))
      await handle.read(prefix, 0, prefix.length, 0)
      const headerEnd = headerLengthOf(prefix)
      const bytes = headerEnd !== undefined && headerEnd <= prefix.length ? prefix : new Uint8Array(await readFile(file))
      return { header: unpackObject(bytes, id).header, storedBytes: size }
    } finally {
      await handle.close()
    }
  }

  /**
   * Reads, decodes and verifies a tensor.
   *
   * Raises `NotFound` for a missing object and `ObjectCorrupt` when the
   * stored bytes do not decode to the id.
   */
  async read(id: string, depth = 0): Promise<Tensor> {
    if (depth > MAX_CHAIN_DEPTH) {
      throw new CoralError('ObjectCorrupt', `Delta chain of ${shortId(id)} is deeper than ${MAX_CHAIN_DEPTH}`, { id })
    }
    let bytes: Uint8Array
    try {
      bytes = await readFile(this.pathOf(id))
    } catch {
      throw new CoralError('NotFound', `Tensor object ${shortId(id)} is missing from the store`, { id })
    }
    await ensureZstd()
    const { header, payload } = unpackObject(bytes, id)
    let data: Uint8Array
    try {
      data = await decodePayload(header, payload, (base) => this.read(base, depth + 1))
    } catch (error) {
      if (error instanceof CoralError && error.code === 'ObjectCorrupt' && error.data.id === undefined) {
        throw new CoralError('ObjectCorrupt', `Stored object ${shortId(id)} is damaged: ${error.message}`, { id })
      }
      throw error
    }
    const tensor: Tensor = { dtype: header.dtype, shape: header.shape, data }
    if (tensorId(tensor) !== id) {
      throw new CoralError('ObjectCorrupt', `Stored object ${shortId(id)} does not hash to its id`, { id })
    }
    return tensor
  }

  /** Lists every object id in the store (ignores temporary files). */
  async *ids(): AsyncGenerator<string> {
    let fanout: string[]
    try {
      fanout = await readdir(this.dir)
    } catch {
      return
    }
    for (const prefix of fanout.sort()) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) {
        continue
      }
      for (const rest of (await readdir(path.join(this.dir, prefix))).sort()) {
        const id = prefix + rest
        if (isObjectId(id)) {
          yield id
        }
      }
    }
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

  async delete(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true })
  }

  /** Total size of all object files in bytes, measured on disk. */
  async totalBytes(): Promise<number> {
    let total = 0
    for await (const id of this.ids()) {
      total += (await this.storedSize(id)) ?? 0
    }
    return total
  }
}
