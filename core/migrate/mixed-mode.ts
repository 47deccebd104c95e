/**
 * Mixed mode: after a migration, a newly stored tensor is stored as a delta
 * against the most similar cluster reference of its group when the cosine
 * passes the migration's threshold and the delta is smaller than the
 * standalone object. Otherwise it stays standalone. Commits and ids are
 * unaffected; only the stored form differs.
 */
import { groupKey } from '../cluster/quality.js'
import type { Repository } from '../repo/repository.js'
import { readIndex } from './clustering-index.js'
import { bestReferenceDelta } from './reference-delta.js'
import { referencesByGroup } from './reference-set.js'

/**
 * Installs the mixed-mode hook on `repo` when it is migrated; returns
 * whether it did. The references are read once, at install time.
 */
export async function installMixedMode(repo: Repository): Promise<boolean> {
  const index = await readIndex(repo).catch(() => undefined)
  if (!index) {
    repo.setEncodeHook(undefined)
    return false
  }
  const threshold = index.threshold ?? 0.9
  const refs = await referencesByGroup(repo)
  repo.setEncodeHook(async (_id, tensor) => {
    const candidates = refs.get(groupKey(tensor.dtype, tensor.shape))
    if (!candidates || candidates.length === 0) return undefined
    const found = await bestReferenceDelta(repo, tensor, undefined, candidates, threshold)
    return found?.encoded
  })
  return true
}
