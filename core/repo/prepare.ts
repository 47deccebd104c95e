/**
 * Readies an opened repository for use by a front end (CLI or worker).
 *
 * TODO: install mixed mode (new tensors stored as deltas against cluster
 * references) once the migration engine exposes it; remove once wired.
 */
import type { Repository } from './repository.js'

export async function prepareRepository(repo: Repository): Promise<Repository> {
  return repo
}
