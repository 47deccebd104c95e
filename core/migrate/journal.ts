/**
 * The migration journal, `.coral/migration/journal.json`.
 *
 * Written (atomically) before the first stored byte changes and updated as
 * phases complete, it holds the plan and how far the migration got. A
 * migration that finds a journal resumes it; `validate` reports it as an
 * unfinished migration and `validate --fix` finishes it. Every step of a
 * migration is idempotent (an object already in its planned form is
 * skipped), so progress in the journal is a hint for reporting, never needed
 * for correctness.
 */
import { rm } from 'node:fs/promises'
import path from 'node:path'

import { CoralError } from '../errors.js'
import type { Repository } from '../repo/repository.js'
import { writeFileAtomic } from '../store/atomic-write.js'
import type { StoragePlan } from './planner.js'
import { readTextIfPresent } from '../store/read-if-present.js'

export const JOURNAL_VERSION = 1

/** Phases of a migration, in order. */
export const PHASES = ['flatten', 'means', 'encode', 'index', 'cleanup', 'validate'] as const
export type Phase = (typeof PHASES)[number]

/** The content of the journal. */
export interface Journal {
  version: number
  startedAt: string
  phase: Phase
  /** Entries of the `encode` phase done (a hint; resumption re-checks). */
  done: number
  storedBytesBefore: number
  backupPath: string | null
  plan: StoragePlan
}

/** The default batch size of migrations whose journals did not record one. */
export const BATCH_SIZE_BEFORE_PLANS_RECORDED_IT = 64

/** Path of the journal. */
export function journalPath(repo: Repository): string {
  return path.join(repo.coralDir, 'migration', 'journal.json')
}

/** Reads the journal; undefined when there is none; `ObjectCorrupt` when damaged. */
export async function readJournal(repo: Repository): Promise<Journal | undefined> {
  const text = await readTextIfPresent(journalPath(repo))
  if (text === undefined) {
    return undefined
  }
  try {
    const journal = JSON.parse(text) as Journal
    if (
      journal.version !== JOURNAL_VERSION ||
      !PHASES.includes(journal.phase) ||
      !Array.isArray(journal.plan?.entries) ||
      !Array.isArray(journal.plan?.means)
    ) {
      throw new Error('fields')
    }
    if (!(Number.isSafeInteger(journal.plan.batchSize) && journal.plan.batchSize >= 2)) {
      journal.plan.batchSize = BATCH_SIZE_BEFORE_PLANS_RECORDED_IT
    }
    return journal
  } catch {
    throw new CoralError(
      'ObjectCorrupt',
      'The migration journal (.coral/migration/journal.json) is damaged; run "coral-ml cluster validate --fix"',
      { path: journalPath(repo) },
    )
  }
}

/** Writes the journal atomically. */
export async function writeJournal(repo: Repository, journal: Journal): Promise<void> {
  await writeFileAtomic(journalPath(repo), JSON.stringify(journal))
}

/** Removes the journal: the migration is complete. */
export async function removeJournal(repo: Repository): Promise<void> {
  await rm(path.dirname(journalPath(repo)), { recursive: true, force: true })
}
