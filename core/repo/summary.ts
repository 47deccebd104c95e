/**
 * The repository overview: counts and sizes measured from the store.
 * Definitions of every figure: docs/FORMAT.md, "Figures".
 */
import type { ClusteringState, RepoSummary } from '../api/contract.js'
import type { Repository } from './repository.js'

/** Computes `RepoSummary`; `clustering` comes from the migration state. */
export async function summarizeRepository(
  repo: Repository,
  clustering: ClusteringState,
): Promise<RepoSummary> {
  const commits = await repo.reachableCommits()
  const versions = new Set<string>()
  const unique = new Set<string>()
  for (const commit of commits.values()) {
    for (const [name, id] of Object.entries(commit.tree)) {
      versions.add(`${name}\0${id}`)
      unique.add(id)
    }
  }
  let rawBytes = 0
  for (const id of unique) {
    rawBytes += (await repo.objects.readHeader(id).catch(() => undefined))?.header.length ?? 0
  }
  return {
    path: repo.root,
    head: await repo.headState(),
    commits: commits.size,
    branches: await repo.branches(),
    tags: await repo.tags(),
    tensorVersions: versions.size,
    uniqueTensors: unique.size,
    rawBytes,
    storedBytes: await repo.objects.totalBytes(),
    staged: Object.keys(await repo.readStaging()).length,
    clustering,
  }
}

/** The clustering state of a repository that was never migrated. */
export const UNCLUSTERED: ClusteringState = {
  migrated: false,
  strategy: null,
  threshold: null,
  clusters: 0,
  clusteredTensors: 0,
  standaloneTensors: 0,
  lastMigration: null,
}
