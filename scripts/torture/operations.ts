/**
 * The operations the torture harness interrupts, each with the repository it
 * starts from (a template built once per run) and what must hold after a
 * kill and after the rerun.
 */
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'

import { listBackups } from '../../core/migrate/backup.js'
import { readIndex } from '../../core/migrate/clustering-index.js'
import { journalPath } from '../../core/migrate/journal.js'
import { validateRepository } from '../../core/migrate/validate.js'
import { Repository } from '../../core/repo/repository.js'
import { runCli, type RunOutcome } from './cli-process.js'
import { buildRepository, messageOf } from './fixtures.js'

/** Names of the operations, in the order they are run and reported. */
export const OPERATION_NAMES = [
  'migrate',
  'commit',
  'import-coral',
  'backup-create',
  'backup-restore',
  'optimize',
  'gc',
] as const

/** One of `OPERATION_NAMES`. */
export type OperationName = (typeof OPERATION_NAMES)[number]

/** The starting repositories, built once per run. */
export type TemplateName = 'base4' | 'plain' | 'migrated' | 'restore' | 'garbage'

/** An operation on a Coral repository. */
export interface Operation {
  name: OperationName
  template: TemplateName
  /** CLI invocations (without `-C <dir>`), run in order; the kill may land in any of them. */
  steps: (dir: string) => string[][]
  /** Messages of the commits HEAD may name right after a kill. */
  headsAfterKill: string[]
  /** Message of the commit HEAD must name after the rerun. */
  finalHead: string
  /** True when a nonzero rerun exit still means "already done" (e.g. AlreadyMigrated). */
  rerunAccepts?: (outcome: RunOutcome) => boolean
  /** Extra final check; returns a problem description or undefined. */
  finalCheck?: (repo: Repository) => Promise<string | undefined>
}

/** The files a run commits: `main` in history order, `extra` for the operation under test. */
export interface SourceFiles {
  main: string[]
  extra: string
}

/** The operation definitions for a set of source files. */
export function operations(
  files: SourceFiles,
): Record<Exclude<OperationName, 'import-coral'>, Operation> {
  const last = messageOf(files.main.at(-1)!)
  const beforeLast = messageOf(files.main.at(-2)!)
  const extra = messageOf(files.extra)
  return {
    migrate: {
      name: 'migrate',
      template: 'plain',
      steps: () => [['cluster', 'migrate']],
      headsAfterKill: [last],
      finalHead: last,
      rerunAccepts: (o) => o.code === 10 && /already migrated/.test(o.stderr),
      finalCheck: async (repo) => {
        if (existsSync(journalPath(repo)))
          return 'the migration journal is still there after the rerun'
        if (!(await readIndex(repo))) return 'no clustering index after the rerun'
        return undefined
      },
    },
    commit: {
      name: 'commit',
      template: 'base4',
      steps: () => [
        ['add', files.main.at(-1)!],
        ['commit', '-m', last],
      ],
      headsAfterKill: [beforeLast, last],
      finalHead: last,
    },
    'backup-create': {
      name: 'backup-create',
      template: 'plain',
      steps: () => [['backup', 'create']],
      headsAfterKill: [last],
      finalHead: last,
      finalCheck: async (repo) => {
        const backups = await listBackups(repo)
        if (backups.length === 0) return 'no complete backup is listed after the rerun'
        for (const backup of backups) {
          const copy = await Repository.open(backup.path)
          const report = await validateRepository(copy, { fix: false, skipBackups: true })
          if (!report.ok) return `backup ${backup.id} does not validate`
        }
        return undefined
      },
    },
    'backup-restore': {
      name: 'backup-restore',
      template: 'restore',
      steps: (dir) => [['backup', 'restore', backupIdIn(dir)]],
      headsAfterKill: [last, extra],
      finalHead: last,
    },
    optimize: {
      name: 'optimize',
      template: 'migrated',
      steps: () => [['cluster', 'optimize']],
      headsAfterKill: [extra],
      finalHead: extra,
    },
    gc: {
      name: 'gc',
      template: 'garbage',
      steps: () => [['gc']],
      headsAfterKill: [last],
      finalHead: last,
      finalCheck: async (repo) => {
        const report = await validateRepository(repo, { fix: false })
        const orphans = report.problems.filter((p) => p.kind === 'orphan-object').length
        return orphans > 0 ? `${orphans} orphan objects remain after the rerun of gc` : undefined
      },
    },
  }
}

/** The (only) complete backup folder beside the repository at `dir`. */
function backupIdIn(dir: string): string {
  const found = readdirSync(dir).filter((n) => n.startsWith('.coral_backup_'))
  if (found.length !== 1) throw new Error(`expected one backup in ${dir}, found ${found.length}`)
  return found[0]!
}

/** Runs CLI steps against `dir`, failing loudly: used to build templates. */
async function cli(dir: string, ...args: string[]): Promise<void> {
  const outcome = await runCli(['-C', dir, ...args])
  if (outcome.code !== 0) {
    throw new Error(
      `setup: coral-ml ${args.join(' ')} exited ${outcome.code}: ${outcome.stderr.trim()}`,
    )
  }
}

/** Builds a template repository under `dir`. */
export async function buildTemplate(
  name: TemplateName,
  dir: string,
  files: SourceFiles,
): Promise<void> {
  switch (name) {
    case 'base4':
      return buildRepository(dir, files.main.slice(0, -1))
    case 'plain':
      return buildRepository(dir, files.main)
    case 'migrated':
      await buildRepository(dir, files.main)
      await cli(dir, 'cluster', 'migrate')
      await cli(dir, 'add', files.extra)
      await cli(dir, 'commit', '-m', messageOf(files.extra))
      return
    case 'restore':
      await buildRepository(dir, files.main)
      await cli(dir, 'backup', 'create')
      await cli(dir, 'add', files.extra)
      await cli(dir, 'commit', '-m', messageOf(files.extra))
      return
    case 'garbage':
      await buildRepository(dir, files.main)
      await cli(dir, 'branch', 'side')
      await cli(dir, 'checkout', 'side')
      await cli(dir, 'add', files.extra)
      await cli(dir, 'commit', '-m', messageOf(files.extra))
      await cli(dir, 'checkout', 'main')
      await cli(dir, 'branch', '-d', 'side')
      return
  }
}

/** Path of the template of `name` inside the run's work folder. */
export function templatePath(work: string, name: TemplateName): string {
  return path.join(work, 'templates', name)
}
