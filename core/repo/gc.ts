/**
 * Garbage collection: removes objects no commit, staged tensor or delta needs.
 *
 * Live = every tensor id in a commit reachable from a branch, tag or HEAD,
 * every staged id, and, transitively, the delta base of every live object
 * (cluster references that are in no commit stay alive this way). Temporary
 * files left by killed writers are removed too. Runs under the write lock.
 */
import { rm } from 'node:fs/promises'

import { throwIfAborted } from '../errors.js'
import { undefinedIfDamaged } from '../store/read-if-present.js'
import type { OperationOptions, Repository } from './repository.js'

export interface GcReport {
  removedObjects: number
  removedBytes: number
  removedTempFiles: number
  keptObjects: number
}

/** Ids that must be kept: live tensors and the bases their encodings need. */
export async function liveObjectIds(
  repo: Repository,
  extraRoots: Iterable<string> = [],
): Promise<Set<string>> {
  const live = await repo.liveTensorIds()
  for (const id of extraRoots) {
    live.add(id)
  }
  return withDeltaBases(repo, live)
}

/** Adds to `live`, transitively, the delta base of every object in it; returns it. */
export async function withDeltaBases(repo: Repository, live: Set<string>): Promise<Set<string>> {
  const queue = [...live]
  while (queue.length > 0) {
    const id = queue.pop()!
    const base = (await repo.objects.readHeader(id).catch(undefinedIfDamaged))?.header.base
    if (base && !live.has(base)) {
      live.add(base)
      queue.push(base)
    }
  }
  return live
}

export async function collectGarbage(
  repo: Repository,
  options: OperationOptions = {},
): Promise<GcReport> {
  return repo.withWriteLock('gc', async () => {
    const live = await liveObjectIds(repo)
    const report: GcReport = {
      removedObjects: 0,
      removedBytes: 0,
      removedTempFiles: 0,
      keptObjects: 0,
    }
    const dead: string[] = []
    for await (const id of repo.objects.ids()) {
      throwIfAborted(options.signal)
      if (live.has(id)) {
        report.keptObjects++
        continue
      }
      report.removedBytes += (await repo.objects.storedSize(id)) ?? 0
      dead.push(id)
      report.removedObjects++
    }
    await repo.objects.deleteMany(dead)
    report.removedBytes += await repo.objects.repack()
    for (const file of await repo.objects.tempFiles()) {
      await rm(file, { force: true })
      report.removedTempFiles++
    }
    return report
  })
}
