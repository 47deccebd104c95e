/**
 * Opens the repository a CLI command works on (`-C` or the current folder).
 * The single place where commands get a Repository, so every command sees
 * the same mixed-mode behaviour after a migration.
 */
import { Repository } from '../repo/repository.js'
import { prepareRepository } from '../repo/prepare.js'

export async function openRepository(repoPath: string): Promise<Repository> {
  return prepareRepository(await Repository.open(repoPath))
}
