/**
 * The cluster references of a migrated repository, by dtype-and-shape group,
 * for optimize and mixed mode: a new tensor is tried against these.
 */
import type { Repository } from '../repo/repository.js'
import { readIndex } from './clustering-index.js'

/** Reference ids per group key (e.g. `F32[128, 64]`), from the index. */
export async function referencesByGroup(repo: Repository): Promise<Map<string, string[]>> {
  const index = await readIndex(repo).catch(() => undefined)
  const out = new Map<string, string[]>()
  for (const cluster of index?.clusters ?? []) {
    if (!(await repo.objects.has(cluster.referenceId))) continue
    const list = out.get(cluster.group) ?? []
    list.push(cluster.referenceId)
    out.set(cluster.group, list)
  }
  return out
}
