/**
 * Pack files: many objects in one file, so a commit of hundreds of tensors
 * costs one file and one fsync instead of hundreds.
 *
 * `objects/pack/<name>.pack` holds object records (each exactly an object
 * file's bytes, see object-format.ts) end to end; `objects/pack/<name>.idx`
 * is JSON `{ "version": 1, "pack": "<name>.pack", "entries": [[id, offset,
 * length], ...] }`. A pack counts only once its index exists: the pack is
 * written (atomically) first, then the index, so a crash leaves at worst an
 * unindexed pack file that garbage collection removes.
 *
 * A loose object file for the same id takes precedence over a packed record:
 * re-encoding (migration) writes loose files, and `repack` later drops the
 * shadowed records.
 */
import { randomBytes } from 'node:crypto'
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import path from 'node:path'

import { CoralError } from '../errors.js'
import { TEMP_PREFIX, writeFileAtomic } from './atomic-write.js'
import { isObjectId } from './tensor-id.js'

/** Where one packed object lives. */
export interface PackedLocation {
  pack: string
  offset: number
  length: number
}

/** An object to pack: its id and its bytes, as parts written one after another. */
export type PackRecord = [id: string, parts: readonly Uint8Array[]]

interface PackIndexFile {
  version: 1
  pack: string
  entries: [string, number, number][]
}

/** The in-memory view of every pack index of a store. */
export class PackSet {
  private byId: Map<string, PackedLocation> | undefined
  private packs = new Map<string, string[]>()
  private readonly descriptors = new Map<string, number>()
  private folderStamp: { ino: number; mtimeMs: number } | undefined

  /** @param dir the `objects/pack` folder */
  constructor(readonly dir: string) {}

  /** Loads (or reloads) every index file. */
  async load(): Promise<void> {
    this.closeDescriptors()
    const stamp = statSync(this.dir, { throwIfNoEntry: false })
    this.folderStamp = stamp ? { ino: stamp.ino, mtimeMs: stamp.mtimeMs } : undefined
    const byId = new Map<string, PackedLocation>()
    const packs = new Map<string, string[]>()
    const names = await readdir(this.dir).catch(() => [] as string[])
    // Temporary files of an interrupted write end in `.idx` too: skip them.
    for (const name of names
      .filter((n) => n.endsWith('.idx') && !n.startsWith(TEMP_PREFIX))
      .sort()) {
      const index = await readIndex(path.join(this.dir, name))
      const ids: string[] = []
      for (const [id, offset, length] of index.entries) {
        if (!byId.has(id)) {
          byId.set(id, { pack: index.pack, offset, length })
        }
        ids.push(id)
      }
      packs.set(index.pack, ids)
    }
    this.byId = byId
    this.packs = packs
  }

  private async index(): Promise<Map<string, PackedLocation>> {
    if (!this.byId) {
      await this.load()
    }
    return this.byId!
  }

  async locate(id: string): Promise<PackedLocation | undefined> {
    const found = (await this.index()).get(id)
    if (found || !this.folderChanged()) {
      return found
    }
    // Another process (or a restore that swapped the folder) changed the packs.
    await this.load()
    return this.byId!.get(id)
  }

  /** True when the pack folder was replaced or its entries changed since `load`. */
  private folderChanged(): boolean {
    const now = statSync(this.dir, { throwIfNoEntry: false })
    const seen = this.folderStamp
    return !now || !seen || now.ino !== seen.ino || now.mtimeMs !== seen.mtimeMs
  }

  async ids(): Promise<string[]> {
    return [...(await this.index()).keys()]
  }

  /** Pack file names with the ids they hold. */
  async packFiles(): Promise<Map<string, string[]>> {
    await this.index()
    return this.packs
  }

  /**
   * Reads one record; reloads the indexes once if the pack moved (a
   * concurrent repack). Reads are synchronous on cached descriptors: records
   * come from the page cache in microseconds, far less than an async hop
   * through the thread pool costs.
   */
  async readRecord(
    id: string,
    maxLength = Number.POSITIVE_INFINITY,
  ): Promise<Uint8Array | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const location = await this.locate(id)
      if (!location) {
        return undefined
      }
      try {
        const fd = this.descriptor(location.pack)
        const length = Math.min(location.length, maxLength)
        const out = new Uint8Array(length)
        const bytesRead = readSync(fd, out, 0, length, location.offset)
        if (bytesRead !== length) {
          throw new CoralError(
            'ObjectCorrupt',
            `Pack ${location.pack} is truncated at object ${id.slice(0, 12)}`,
            { id },
          )
        }
        return out
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw error
        }
        if (attempt === 0) {
          await this.load()
          continue
        }
        // Still missing after a reload: the index names a pack that is not there.
        throw new CoralError(
          'ObjectCorrupt',
          `Pack ${location.pack} is missing (named by its index) for object ${id.slice(0, 12)}`,
          {
            id,
            pack: location.pack,
          },
        )
      }
    }
    return undefined
  }

  private descriptor(pack: string): number {
    let fd = this.descriptors.get(pack)
    if (fd === undefined) {
      fd = openSync(path.join(this.dir, pack), 'r')
      this.descriptors.set(pack, fd)
    }
    return fd
  }

  /** Closes cached descriptors (after a rewrite, or when the store is done). */
  closeDescriptors(): void {
    for (const fd of this.descriptors.values()) {
      closeSync(fd)
    }
    this.descriptors.clear()
  }

  /**
   * Writes `records` as one new pack and indexes it. Each record is an id
   * and its object's bytes, given as consecutive parts.
   */
  async write(records: PackRecord[]): Promise<{ pack: string; bytes: number }> {
    const name = `pack-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`
    let total = 0
    for (const [, parts] of records) for (const part of parts) total += part.length
    const body = new Uint8Array(total)
    const entries: [string, number, number][] = []
    let offset = 0
    for (const [id, parts] of records) {
      const start = offset
      for (const part of parts) {
        body.set(part, offset)
        offset += part.length
      }
      entries.push([id, start, offset - start])
    }
    await writeFileAtomic(path.join(this.dir, `${name}.pack`), body)
    const index: PackIndexFile = { version: 1, pack: `${name}.pack`, entries }
    await writeFileAtomic(path.join(this.dir, `${name}.idx`), JSON.stringify(index))
    const byId = await this.index()
    for (const [id, off, length] of entries) {
      byId.set(id, { pack: index.pack, offset: off, length })
    }
    this.packs.set(
      index.pack,
      entries.map(([id]) => id),
    )
    const stamp = statSync(this.dir, { throwIfNoEntry: false })
    this.folderStamp = stamp ? { ino: stamp.ino, mtimeMs: stamp.mtimeMs } : undefined
    return { pack: index.pack, bytes: total }
  }

  /**
   * Rewrites every pack that holds an id `drop` rejects, without those ids.
   * The new pack is durable and indexed before the old one is removed.
   */
  async rewriteWithout(
    drop: (id: string) => boolean,
  ): Promise<{ removedRecords: number; freedBytes: number }> {
    let removedRecords = 0
    let freedBytes = 0
    for (const [pack, ids] of [...(await this.packFiles()).entries()]) {
      const dropped = ids.filter(drop)
      if (dropped.length === 0) {
        continue
      }
      const kept: PackRecord[] = []
      for (const id of ids) {
        if (drop(id)) {
          continue
        }
        const location = this.byId!.get(id)
        if (location?.pack !== pack) {
          continue // another pack already provides this id
        }
        kept.push([id, [(await this.readRecord(id))!]])
      }
      const before = await fileSize(path.join(this.dir, pack))
      if (kept.length > 0) {
        await this.write(kept)
      }
      await rm(path.join(this.dir, pack.replace(/\.pack$/, '.idx')), { force: true })
      const fd = this.descriptors.get(pack)
      if (fd !== undefined) {
        closeSync(fd)
        this.descriptors.delete(pack)
      }
      await rm(path.join(this.dir, pack), { force: true })
      removedRecords += dropped.length
      freedBytes += before - kept.reduce((sum, [, [bytes]]) => sum + bytes!.length, 0)
      this.packs.delete(pack)
      for (const id of dropped) {
        if (this.byId!.get(id)?.pack === pack) {
          this.byId!.delete(id)
        }
      }
    }
    if (removedRecords > 0) {
      await this.load()
    }
    return { removedRecords, freedBytes }
  }

  /** Sizes of pack and index files on disk, and pack files no index names. */
  async diskUsage(): Promise<{ bytes: number; unindexed: string[] }> {
    const names = await readdir(this.dir).catch(() => [] as string[])
    const indexed = new Set([...(await this.packFiles()).keys()])
    let bytes = 0
    const unindexed: string[] = []
    for (const name of names) {
      if (name.startsWith(TEMP_PREFIX)) {
        continue
      }
      if (name.endsWith('.pack') || name.endsWith('.idx')) {
        bytes += await fileSize(path.join(this.dir, name))
        if (name.endsWith('.pack') && !indexed.has(name)) {
          unindexed.push(path.join(this.dir, name))
        }
      }
    }
    return { bytes, unindexed }
  }
}

async function readIndex(file: string): Promise<PackIndexFile> {
  let parsed: PackIndexFile
  // A read error (EIO) is raised as it is: the index may be intact.
  const text = await readFile(file, 'utf8')
  try {
    parsed = JSON.parse(text) as PackIndexFile
  } catch {
    throw new CoralError(
      'ObjectCorrupt',
      `Pack index ${path.basename(file)} is damaged: not valid JSON`,
      { file },
    )
  }
  const valid =
    parsed?.version === 1 &&
    typeof parsed.pack === 'string' &&
    /^[\w.-]+\.pack$/.test(parsed.pack) &&
    Array.isArray(parsed.entries) &&
    parsed.entries.every(
      (e) =>
        Array.isArray(e) &&
        typeof e[0] === 'string' &&
        isObjectId(e[0]) &&
        Number.isSafeInteger(e[1]) &&
        e[1] >= 0 &&
        Number.isSafeInteger(e[2]) &&
        e[2] > 0,
    )
  if (!valid) {
    throw new CoralError(
      'ObjectCorrupt',
      `Pack index ${path.basename(file)} is damaged: bad fields`,
      { file },
    )
  }
  return parsed
}

async function fileSize(file: string): Promise<number> {
  return (await stat(file).catch(() => ({ size: 0 }))).size
}
