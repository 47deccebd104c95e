/**
 * Readies an opened repository for a front end (CLI or worker): after a
 * migration, new tensors are stored in mixed mode (as deltas against cluster
 * references when that is smaller).
 */
import { installMixedMode } from '../migrate/mixed-mode.js'
import type { Repository } from './repository.js'

export async function prepareRepository(repo: Repository): Promise<Repository> {
  await installMixedMode(repo)
  return repo
}
