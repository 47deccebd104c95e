/**
 * `cluster optimize`: cluster what was added since the migration.
 *
 * Every live tensor stored standalone in a group that has clusters (and that
 * is neither a cluster reference nor any object's base, so no chain grows
 * and no cycle can form) is tried as a delta against each reference of its
 * group; it is re-encoded when the cosine passes the index's threshold and
 * the delta is smaller. Then objects nothing needs are removed.
 */
import type { OptimizeReport } from '../api/contract.js'
import { groupKey } from '../cluster/quality.js'
import { ensureZstd } from '../codec/zstd.js'
import { CoralError, throwIfAborted } from '../errors.js'
import type { Repository } from '../repo/repository.js'
import { readIndex, writeIndex } from './clustering-index.js'
import { removeUnneeded } from './migrate.js'
import type { RunOptions } from './planner.js'
import { bestReferenceDelta } from './reference-delta.js'
import { referencesByGroup } from './reference-set.js'
import { createThrottle } from './throttle.js'
import { isDeltaCodec } from '../store/object-format.js'
import { undefinedIfDamaged } from '../store/read-if-present.js'

/** Runs `cluster optimize`. Throws `InvalidArgument` on a repository never migrated. */
export async function optimize(repo: Repository, run: RunOptions = {}): Promise<OptimizeReport> {
  const started = performance.now()
  await ensureZstd()
  return repo.withWriteLock('cluster optimize', async () => {
    const index = await readIndex(repo)
    if (!index) {
      throw new CoralError(
        'InvalidArgument',
        'The repository is not migrated; run "coral-ml cluster migrate" first',
      )
    }
    const threshold = index.threshold ?? 0.9
    const bytesBefore = await repo.objects.totalBytes()
    const refs = await referencesByGroup(repo)
    const referenceIds = new Set([...refs.values()].flat())
    const live = await repo.liveTensorIds()
    const bases = new Set<string>()
    const candidates: string[] = []
    for (const id of live) {
      const header = (await repo.objects.readHeader(id).catch(undefinedIfDamaged))?.header
      if (!header) continue
      if (isDeltaCodec(header.codec)) bases.add(header.base!)
      else if (refs.has(groupKey(header.dtype, header.shape))) candidates.push(id)
    }
    const throttle = createThrottle(run.onProgress, run.progressIntervalMs)
    let reencoded = 0
    const added = new Map<string, string[]>()
    for (const [i, id] of candidates.sort().entries()) {
      throwIfAborted(run.signal)
      throttle(
        { phase: 'optimize', done: i + 1, total: candidates.length, bytesIn: 0, bytesOut: 0 },
        i + 1 === candidates.length,
      )
      if (referenceIds.has(id) || bases.has(id)) continue
      const tensor = await repo.objects.read(id)
      const found = await bestReferenceDelta(
        repo,
        tensor,
        await repo.objects.storedSize(id),
        refs.get(groupKey(tensor.dtype, tensor.shape)) ?? [],
        threshold,
      )
      if (!found) continue
      await repo.objects.replaceEncoding(id, found.encoded)
      added.set(found.base, [...(added.get(found.base) ?? []), id])
      reencoded++
    }
    if (reencoded > 0) {
      for (const cluster of index.clusters) {
        cluster.members.push(...(added.get(cluster.referenceId) ?? []))
      }
      await writeIndex(repo, index)
    }
    const removed = await removeUnneeded(repo, run.signal)
    return {
      bytesBefore,
      bytesAfter: await repo.objects.totalBytes(),
      reencoded,
      removedObjects: removed.removedObjects,
      elapsedMs: Math.round(performance.now() - started),
    }
  })
}
