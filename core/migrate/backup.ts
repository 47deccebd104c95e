/**
 * Backups of a repository's store, beside it: `<root>/.coral_backup_<YYYYmmdd_HHMMSS>`.
 *
 * A backup folder holds a copy of `.coral` (everything but the lock and
 * temporary files) and, written last, `backup.json` (creation time, size).
 * A folder without `backup.json` is an incomplete copy and is never listed
 * or restored from. Files are copied with copy-on-write cloning where the
 * file system supports it, a plain copy otherwise.
 *
 * Restore is safe: the backup is copied to `<root>/.coral_restore_tmp/.coral`,
 * verified (every tensor of every reachable commit read back and re-hashed),
 * marked ready, and only then swapped in with two renames:
 *   1. `.coral` -> `.coral_restore_old`
 *   2. `.coral_restore_tmp/.coral` -> `.coral`
 * then the old store is removed. Killed between the renames, there is no
 * `.coral`; `recoverInterruptedRestore(root)` (called by the cluster and
 * backup commands and by `validate`) finishes the swap when the ready
 * marker exists, or puts the old store back otherwise.
 */
import { constants } from 'node:fs'
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'

import type { BackupInfo, ValidationReport } from '../api/contract.js'
import { CoralError, throwIfAborted } from '../errors.js'
import { Repository } from '../repo/repository.js'
import { TEMP_PREFIX } from '../store/atomic-write.js'
import type { RunOptions } from './planner.js'
import { readIndex } from './clustering-index.js'
import { validateRepository } from './validate.js'
import { readTextIfPresent } from '../store/read-if-present.js'

/** Prefix of every backup folder. */
export const BACKUP_PREFIX = '.coral_backup_'
const BACKUP_ID = /^\.coral_backup_\d{8}_\d{6}(_\d+)?$/
const MARKER = 'backup.json'
const RESTORE_TMP = '.coral_restore_tmp'
const RESTORE_OLD = '.coral_restore_old'
const RESTORE_READY = 'RESTORE_READY'

/** `YYYYmmdd_HHMMSS` in local time. */
function stamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return (
    `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}_` +
    `${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`
  )
}

function skip(name: string, top: boolean): boolean {
  return name.startsWith(TEMP_PREFIX) || (top && name === 'lock')
}

/** Copies a folder tree; returns the bytes copied. */
async function copyTree(
  from: string,
  to: string,
  signal: AbortSignal | undefined,
  top = true,
): Promise<number> {
  await mkdir(to, { recursive: true })
  let bytes = 0
  for (const entry of await readdir(from, { withFileTypes: true })) {
    throwIfAborted(signal)
    if (skip(entry.name, top)) continue
    const src = path.join(from, entry.name)
    const dst = path.join(to, entry.name)
    if (entry.isDirectory()) {
      bytes += await copyTree(src, dst, signal, false)
    } else if (entry.isFile()) {
      await copyFile(src, dst, constants.COPYFILE_FICLONE)
      bytes += (await stat(dst)).size
    }
  }
  return bytes
}

/** Total size of the files in a tree, measured. */
async function treeBytes(dir: string, top = true): Promise<number> {
  let bytes = 0
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (skip(entry.name, top)) continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) bytes += await treeBytes(full, false)
    else if (entry.isFile()) bytes += (await stat(full)).size
  }
  return bytes
}

/** Bytes a backup of `repo` would take now (what `--backup` copies). */
export async function backupBytes(repo: Repository): Promise<number> {
  return treeBytes(repo.coralDir)
}

/** Makes a complete backup of the store; returns it. Takes the write lock. */
export async function createBackup(repo: Repository, run: RunOptions = {}): Promise<BackupInfo> {
  return repo.withWriteLock('backup create', async () => {
    const now = new Date()
    const base = `${BACKUP_PREFIX}${stamp(now)}`
    let id = base
    for (let n = 2; await exists(path.join(repo.root, id)); n++) {
      id = `${base}_${n}`
    }
    const dir = path.join(repo.root, id)
    try {
      await copyTree(repo.coralDir, path.join(dir, '.coral'), run.signal)
      const bytes = await treeBytes(path.join(dir, '.coral'))
      const createdAt = now.toISOString()
      // What the backup holds, for a restore to say what it brings back. Taken
      // under the write lock, so it matches the copied store.
      const commits = (await repo.reachableCommits()).size
      // A damaged index leaves the clustering unknown rather than guessed.
      const clustered = await readIndex(repo).then(
        (index) => index !== undefined,
        () => undefined,
      )
      const info = { createdAt, bytes, commits, ...(clustered === undefined ? {} : { clustered }) }
      await writeFile(path.join(dir, MARKER), `${JSON.stringify(info, null, 1)}\n`)
      return { id, path: dir, ...info }
    } catch (error) {
      await rm(dir, { recursive: true, force: true })
      throw error
    }
  })
}

/** Complete backups of `repo`, oldest first, with measured sizes. */
export async function listBackups(repo: Repository): Promise<BackupInfo[]> {
  return listBackupsAt(repo.root)
}

/** Complete backups beside the `.coral` of `root`, oldest first. */
export async function listBackupsAt(root: string): Promise<BackupInfo[]> {
  const out: BackupInfo[] = []
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!BACKUP_ID.test(name)) continue
    const dir = path.join(root, name)
    const marker = await readTextIfPresent(path.join(dir, MARKER))
    if (marker === undefined) continue
    let recorded: { createdAt?: unknown; commits?: unknown; clustered?: unknown }
    try {
      recorded = JSON.parse(marker) as typeof recorded
    } catch {
      continue
    }
    out.push({
      id: name,
      path: dir,
      createdAt: String(recorded.createdAt ?? ''),
      bytes: await treeBytes(path.join(dir, '.coral')),
      ...(Number.isSafeInteger(recorded.commits) ? { commits: recorded.commits as number } : {}),
      ...(typeof recorded.clustered === 'boolean' ? { clustered: recorded.clustered } : {}),
    })
  }
  return out.sort((a, b) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id.localeCompare(b.id),
  )
}

async function findBackup(repo: Repository, id: string): Promise<BackupInfo> {
  if (!BACKUP_ID.test(id)) {
    throw new CoralError(
      'InvalidArgument',
      `"${id.slice(0, 80)}" is not a backup id (like ${BACKUP_PREFIX}20260101_120000)`,
      { id },
    )
  }
  const found = (await listBackups(repo)).find((b) => b.id === id)
  if (!found) {
    throw new CoralError('NotFound', `No complete backup named ${id} in ${repo.root}`, { id })
  }
  return found
}

/** Deletes a backup; returns the remaining ones. */
export async function deleteBackup(repo: Repository, id: string): Promise<BackupInfo[]> {
  const backup = await findBackup(repo, id)
  // Remove the marker first: a deletion killed halfway leaves an unlisted, incomplete folder.
  await rm(path.join(backup.path, MARKER), { force: true })
  await rm(backup.path, { recursive: true, force: true })
  return listBackups(repo)
}

/**
 * Replaces the repository's store with a backup, safely (see module notes).
 * Throws `ValidationFailed` when the backup does not verify; the current
 * store is then untouched.
 */
export async function restoreBackup(
  repo: Repository,
  id: string,
  run: RunOptions = {},
): Promise<BackupInfo> {
  const backup = await findBackup(repo, id)
  const tmp = path.join(repo.root, RESTORE_TMP)
  const old = path.join(repo.root, RESTORE_OLD)
  return repo.withWriteLock('backup restore', async () => {
    await rm(tmp, { recursive: true, force: true })
    await rm(old, { recursive: true, force: true })
    await copyTree(path.join(backup.path, '.coral'), path.join(tmp, '.coral'), run.signal)
    const candidate = await Repository.open(tmp)
    let check: ValidationReport
    try {
      check = await validateRepository(candidate, { fix: false, skipBackups: true }, run)
    } finally {
      candidate.close()
    }
    if (!check.ok) {
      await rm(tmp, { recursive: true, force: true })
      throw new CoralError(
        'ValidationFailed',
        `Backup ${id} does not verify (${check.problems.find((p) => !p.fixed)?.message ?? 'problems found'}); the repository was not changed`,
        { id },
      )
    }
    throwIfAborted(run.signal)
    await writeFile(path.join(tmp, RESTORE_READY), id)
    await rename(repo.coralDir, old)
    await rename(path.join(tmp, '.coral'), repo.coralDir)
    await rm(old, { recursive: true, force: true })
    await rm(tmp, { recursive: true, force: true })
    return backup
  })
}

/**
 * Finishes or undoes a restore killed between its renames. Returns what it
 * did. Safe to call at any time no other process is restoring.
 */
export async function recoverInterruptedRestore(
  root: string,
): Promise<'none' | 'completed' | 'reverted' | 'cleaned'> {
  const coral = path.join(root, '.coral')
  const tmp = path.join(root, RESTORE_TMP)
  const old = path.join(root, RESTORE_OLD)
  const [hasCoral, hasTmp, hasOld] = await Promise.all([exists(coral), exists(tmp), exists(old)])
  if (!hasCoral) {
    if (
      hasTmp &&
      (await exists(path.join(tmp, RESTORE_READY))) &&
      (await exists(path.join(tmp, '.coral')))
    ) {
      await rename(path.join(tmp, '.coral'), coral)
      await rm(old, { recursive: true, force: true })
      await rm(tmp, { recursive: true, force: true })
      return 'completed'
    }
    if (hasOld) {
      await rename(old, coral)
      await rm(tmp, { recursive: true, force: true })
      return 'reverted'
    }
    return 'none'
  }
  if ((hasOld || hasTmp) && !(await exists(path.join(coral, 'lock')))) {
    // The swap completed (or never started) and nobody is restoring now: leftovers only.
    await rm(old, { recursive: true, force: true })
    await rm(tmp, { recursive: true, force: true })
    return 'cleaned'
  }
  return 'none'
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p)
    return true
  } catch {
    return false
  }
}
