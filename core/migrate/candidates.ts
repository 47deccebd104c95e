/**
 * The candidates of a migration: every unique tensor id reachable from any
 * branch, tag or HEAD (plus staged ids), with the names and commits it
 * appears under, grouped by dtype and shape read from object headers.
 *
 * Only headers are read here (a few KB per object), never tensor payloads,
 * so collecting candidates costs the same for a 1 KB bias and a 1 GB
 * embedding.
 */
import type { Commit } from '../store/commit-store.js'
import type { ObjectHeader } from '../store/object-format.js'
import { groupKey } from '../cluster/quality.js'
import { throwIfAborted } from '../errors.js'
import type { Repository } from '../repo/repository.js'
import type { DType } from '../tensor/dtype.js'

/** One unique tensor id and where it appears. */
export interface Candidate {
  id: string
  dtype: DType
  shape: number[]
  /** Raw tensor byte length. */
  rawBytes: number
  /** Size of its object file now, measured on disk. */
  storedBytes: number
  header: ObjectHeader
  names: Set<string>
  commits: Set<string>
}

/** A dtype-and-shape group of candidates, ids in ascending order. */
export interface CandidateGroup {
  key: string
  dtype: DType
  shape: number[]
  ids: string[]
}

/** Everything a plan needs to know about the repository before reading payloads. */
export interface CandidateSet {
  candidates: Map<string, Candidate>
  groups: CandidateGroup[]
  /** Reachable commits (id to commit). */
  commits: Map<string, Commit>
  /** Distinct (tensor name, tensor id) pairs reachable from any ref. */
  tensorVersions: number
  /** Sum of raw sizes of the unique tensors. */
  rawBytes: number
}

/** Collects the candidates of `repo` (reads commits and object headers only). */
export async function collectCandidates(
  repo: Repository,
  signal?: AbortSignal,
): Promise<CandidateSet> {
  const commits = await repo.reachableCommits()
  const names = new Map<string, Set<string>>()
  const inCommits = new Map<string, Set<string>>()
  const versions = new Set<string>()
  const note = (id: string, name: string, commit: string | undefined) => {
    let n = names.get(id)
    if (!n) {
      n = new Set()
      names.set(id, n)
      inCommits.set(id, new Set())
    }
    n.add(name)
    if (commit !== undefined) {
      inCommits.get(id)!.add(commit)
      versions.add(`${name}\0${id}`)
    }
  }
  for (const [commitId, commit] of commits) {
    for (const [name, id] of Object.entries(commit.tree)) {
      note(id, name, commitId)
    }
  }
  for (const [name, id] of Object.entries(await repo.readStaging())) {
    note(id, name, undefined)
  }
  const candidates = new Map<string, Candidate>()
  let rawBytes = 0
  for (const id of [...names.keys()].sort()) {
    throwIfAborted(signal)
    const { header, storedBytes } = await repo.objects.readHeader(id)
    candidates.set(id, {
      id,
      dtype: header.dtype,
      shape: [...header.shape],
      rawBytes: header.length,
      storedBytes,
      header,
      names: names.get(id)!,
      commits: inCommits.get(id)!,
    })
    rawBytes += header.length
  }
  const byKey = new Map<string, CandidateGroup>()
  for (const c of candidates.values()) {
    const key = groupKey(c.dtype, c.shape)
    let group = byKey.get(key)
    if (!group) {
      group = { key, dtype: c.dtype, shape: c.shape, ids: [] }
      byKey.set(key, group)
    }
    group.ids.push(c.id)
  }
  const groups = [...byKey.values()].sort(
    (a, b) => b.ids.length - a.ids.length || (a.key < b.key ? -1 : 1),
  )
  return { candidates, groups, commits, tensorVersions: versions.size, rawBytes }
}
