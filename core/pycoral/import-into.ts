/**
 * Imports a Python `coral-ml` repository into an `ImportSink`, one commit at a time.
 *
 * Snapshot mapping: a Python commit stores only the tensors staged for it, so
 * each imported commit's tree is its first parent's tree with this commit's
 * recorded tensors applied (what a user saw as "the repository at that
 * commit"). Recorded tensors that are 'unreadable' are removed from the tree
 * and listed in the report; every other recorded tensor (including
 * 'unverifiable' and 'mismatched' ones, with their reason) is written.
 */
import type { ImportReport, ImportedTensor, Progress } from '../api/contract.js'
import { throwIfAborted } from '../errors.js'
import type { ImportSink } from './import-sink.js'
import { readPythonCoralRepository } from './read-repository.js'

/** Options of `importPythonCoral`. */
export interface ImportOptions {
  signal?: AbortSignal
  onProgress?: (progress: Progress) => void
}

/** The import report minus what the caller fills in, plus the id mapping and warnings. */
export type PythonCoralImportResult = Omit<ImportReport, 'source' | 'target' | 'backupPath'> & {
  /** Python commit hash to the id the sink returned. */
  commitIds: Record<string, string>
  /** Problems that did not stop the import. */
  warnings: string[]
}

/**
 * Reads the repository at `source` and feeds it to `sink`: tensors, then commits
 * in topological order (parents first), then branches, tags and HEAD.
 *
 * Memory holds one tensor at a time plus the small name-to-id trees of
 * commits whose children are still to come.
 */
export async function importPythonCoral(
  source: string,
  sink: ImportSink,
  options: ImportOptions = {},
): Promise<PythonCoralImportResult> {
  const started = Date.now()
  const repo = await readPythonCoralRepository(source, { signal: options.signal })
  try {
    const total = repo.commits.reduce((sum, c) => sum + c.recordedNames.length, 0)
    const tensors: ImportedTensor[] = []
    const commitIds: Record<string, string> = {}
    const trees = new Map<string, Record<string, string>>()
    const childrenLeft = new Map<string, number>()
    for (const commit of repo.commits) {
      for (const parent of new Set(commit.parents)) {
        childrenLeft.set(parent, (childrenLeft.get(parent) ?? 0) + 1)
      }
    }
    const idBySource = new Map<string, string>()
    let done = 0
    let bytesIn = 0

    for (const commit of repo.commits) {
      // Start from the first parent's snapshot
      const firstParent = commit.parents[0]
      const tree: Record<string, string> = { ...(firstParent ? trees.get(firstParent) : {}) }

      // Apply this commit's recorded tensors
      for (const name of commit.recordedNames) {
        throwIfAborted(options.signal)
        const result = await repo.readTensor(commit.hash, name)
        tensors.push({
          commit: result.commit,
          name: result.name,
          status: result.status,
          detail: result.detail,
        })
        if (result.tensor) {
          let id = result.sourceKey ? idBySource.get(result.sourceKey) : undefined
          if (id === undefined) {
            id = await sink.writeTensor(result.tensor)
            bytesIn += result.tensor.data.byteLength
            if (result.sourceKey) {
              idBySource.set(result.sourceKey, id)
            }
          }
          tree[name] = id
        } else {
          delete tree[name]
        }
        done += 1
        options.onProgress?.({
          phase: 'import',
          done,
          total,
          bytesIn,
          bytesOut: 0,
          elapsedMs: Date.now() - started,
        })
      }

      // Write the commit, then drop parent trees no later commit needs
      const id = await sink.writeCommit({
        tree,
        parents: commit.parents.map((p) => commitIds[p] as string),
        message: commit.message,
        author: commit.author,
        email: commit.email,
        timestamp: commit.timestamp,
        tags: commit.tags,
      })
      commitIds[commit.hash] = id
      trees.set(commit.hash, tree)
      for (const parent of new Set(commit.parents)) {
        const left = (childrenLeft.get(parent) ?? 1) - 1
        childrenLeft.set(parent, left)
        if (left === 0) {
          trees.delete(parent)
        }
      }
    }

    // Refs
    const branches: string[] = []
    for (const branch of repo.branches) {
      if (branch.commit === null) {
        repo.warnings.push(`branch ${branch.name} has no commits; not imported`)
        continue
      }
      await sink.setBranch(branch.name, commitIds[branch.commit] as string)
      branches.push(branch.name)
    }
    for (const tag of repo.tags) {
      await sink.setTag(tag.name, commitIds[tag.commit] as string)
    }
    if (repo.head && 'branch' in repo.head && branches.includes(repo.head.branch)) {
      await sink.setHead({ branch: repo.head.branch })
    } else if (repo.head && 'commit' in repo.head) {
      await sink.setHead({ commit: commitIds[repo.head.commit] as string })
    }

    const count = (status: ImportedTensor['status']): number =>
      tensors.filter((t) => t.status === status).length
    return {
      dialect: repo.dialect,
      commits: repo.commits.length,
      branches,
      tags: repo.tags.map((t) => t.name),
      tensors,
      verified: count('verified'),
      unverifiable: count('unverifiable'),
      mismatched: count('mismatched'),
      unreadable: count('unreadable'),
      elapsedMs: Date.now() - started,
      commitIds,
      warnings: repo.warnings,
    }
  } finally {
    await repo.close()
  }
}
