/**
 * The clustering index, `.coral/clustering.json`: what the last migration
 * decided (strategy, threshold, time, clusters with their reference and
 * members). It is a convenience for status and the UI; the truth is in the
 * object headers (codec, base), from which `rebuildIndex` can recreate it.
 */
import { readFile, rm } from 'node:fs/promises'
import path from 'node:path'

import type { ClusteringState, Strategy } from '../api/contract.js'
import { STRATEGIES } from '../api/contract.js'
import { CoralError } from '../errors.js'
import type { Repository } from '../repo/repository.js'
import { writeFileAtomic } from '../store/atomic-write.js'
import { isObjectId } from '../store/tensor-id.js'
import { isDeltaCodec } from '../store/object-format.js'

export const INDEX_VERSION = 1

/** One cluster in the index. */
export interface IndexCluster {
  id: string
  group: string
  referenceId: string
  referenceKind: 'medoid' | 'mean'
  /** Ids stored as deltas in this cluster's reference tree. */
  members: string[]
}

/** The content of `.coral/clustering.json`. */
export interface ClusteringIndex {
  version: number
  strategy: Strategy | null
  threshold: number | null
  /** ISO time the migration finished. */
  migratedAt: string
  clusters: IndexCluster[]
  /** True when rebuilt from object headers by `validate --fix`. */
  rebuilt?: boolean
}

/** Path of the index. */
export function indexPath(repo: Repository): string {
  return path.join(repo.coralDir, 'clustering.json')
}

/**
 * Reads the index: undefined when absent, `ObjectCorrupt` when damaged.
 */
export async function readIndex(repo: Repository): Promise<ClusteringIndex | undefined> {
  const text = await readFile(indexPath(repo), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (text === undefined) {
    return undefined
  }
  const damaged = (why: string) =>
    new CoralError(
      'ObjectCorrupt',
      `The clustering index (.coral/clustering.json) is damaged: ${why}; run "coral-ml cluster validate --fix"`,
      {
        path: indexPath(repo),
      },
    )
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw damaged('not valid JSON')
  }
  const index = value as ClusteringIndex
  if (
    !index ||
    typeof index !== 'object' ||
    index.version !== INDEX_VERSION ||
    (index.strategy !== null && !STRATEGIES.includes(index.strategy)) ||
    (index.threshold !== null && typeof index.threshold !== 'number') ||
    typeof index.migratedAt !== 'string' ||
    !Array.isArray(index.clusters) ||
    !index.clusters.every(
      (c) =>
        c &&
        typeof c.id === 'string' &&
        typeof c.group === 'string' &&
        isObjectId(String(c.referenceId)) &&
        (c.referenceKind === 'medoid' || c.referenceKind === 'mean') &&
        Array.isArray(c.members) &&
        c.members.every((m) => isObjectId(String(m))),
    )
  ) {
    throw damaged('fields are missing or invalid')
  }
  return index
}

/** Writes the index atomically. */
export async function writeIndex(repo: Repository, index: ClusteringIndex): Promise<void> {
  await writeFileAtomic(indexPath(repo), `${JSON.stringify(index, null, 1)}\n`)
}

/** Removes the index (a repository back to plain storage). */
export async function removeIndex(repo: Repository): Promise<void> {
  await rm(indexPath(repo), { force: true })
}

/**
 * The clustering state of `repo`, measured: clustered and standalone counts
 * come from the headers of the live tensors' objects (a delta is clustered),
 * the rest from the index. A damaged index reads as migrated with unknown
 * strategy (validate reports and rebuilds it).
 */
export async function readClusteringState(repo: Repository): Promise<ClusteringState> {
  let index: ClusteringIndex | undefined
  let damaged = false
  try {
    index = await readIndex(repo)
  } catch (error) {
    if (!(error instanceof CoralError && error.code === 'ObjectCorrupt')) throw error
    damaged = true
  }
  let clustered = 0
  let standalone = 0
  for (const id of await repo.liveTensorIds()) {
    const header = await repo.objects.readHeader(id).then(
      (h) => h.header,
      () => undefined,
    )
    if (isDeltaCodec(header?.codec)) clustered++
    else standalone++
  }
  return {
    migrated: index !== undefined || damaged,
    strategy: index?.strategy ?? null,
    threshold: index?.threshold ?? null,
    clusters: index?.clusters.length ?? 0,
    clusteredTensors: clustered,
    standaloneTensors: standalone,
    lastMigration: index?.migratedAt ?? null,
  }
}
