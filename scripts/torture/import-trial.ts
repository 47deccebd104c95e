/**
 * The import-coral torture case: `coral-ml import-coral <dir>` (in place) on a
 * copy of a Python-Coral fixture, killed at a point in its run. After the
 * kill, the folder must hold either the untouched Python repository or the
 * complete converted one (with the original kept byte for byte in
 * `.coral_backup_*`); after the rerun, the converted repository must equal
 * the one an uninterrupted import produced (same commit ids, so the same
 * tensor ids) and validate.
 */
import { readdirSync } from 'node:fs'
import path from 'node:path'

import { validateRepository } from '../../core/migrate/validate.js'
import { Repository, detectRepository } from '../../core/repo/repository.js'
import { hashTree } from './fixtures.js'

/** Branches, tags and HEAD of a converted repository. */
export interface RefSnapshot {
  branches: Record<string, string>
  tags: Record<string, string>
  head: string
}

/** Reads the refs of the Coral repository at `dir`. */
export async function snapshotRefs(dir: string): Promise<RefSnapshot> {
  const repo = await Repository.open(dir)
  const branches: Record<string, string> = {}
  const tags: Record<string, string> = {}
  for (const name of await repo.branches()) branches[name] = (await repo.refs.read('heads', name))!
  for (const name of await repo.tags()) tags[name] = (await repo.refs.read('tags', name))!
  return { branches, tags, head: JSON.stringify(await repo.headState()) }
}

/** What the folder holds after a kill. */
export type ImportState = 'python' | 'converted'

/**
 * Checks the folder after a kill (or after the rerun when `final`); throws an
 * Error describing the first problem. `pythonHash` is `hashTree` of the
 * fixture's `.coral`.
 */
export async function checkImportState(
  dir: string,
  pythonHash: string,
  reference: RefSnapshot,
  final: boolean,
): Promise<ImportState> {
  const kind = await detectRepository(dir)
  const backups = readdirSync(dir).filter((n) => n.startsWith('.coral_backup_'))
  if (kind === 'python-coral') {
    if (final) throw new Error('the folder still holds the Python repository after the rerun')
    if (hashTree(path.join(dir, '.coral')) !== pythonHash)
      throw new Error('the Python repository was modified')
    return 'python'
  }
  if (kind === 'none') {
    const kept = backups.some((b) => hashTree(path.join(dir, b)) === pythonHash)
    throw new Error(
      `no repository in the folder after the kill (.coral missing${kept ? '; the original sits in a .coral_backup_ folder' : ''})`,
    )
  }
  if (!backups.some((b) => hashTree(path.join(dir, b)) === pythonHash)) {
    throw new Error('converted, but no .coral_backup_ folder holds the original byte for byte')
  }
  const refs = await snapshotRefs(dir)
  if (JSON.stringify(refs) !== JSON.stringify(reference)) {
    throw new Error(
      'the converted repository has other refs or commit ids than an uninterrupted import',
    )
  }
  const report = await validateRepository(await Repository.open(dir), {
    fix: false,
    skipBackups: true,
  })
  if (!report.ok) throw new Error('the converted repository does not validate')
  return 'converted'
}

/** Leftover build folders of killed imports (`.coral-import-*`), for the report. */
export function leftoverImportFolders(dir: string): number {
  return readdirSync(dir).filter((n) => n.startsWith('.coral-import-')).length
}
