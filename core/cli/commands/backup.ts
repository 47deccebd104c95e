/**
 * `coral-ml backup list | create | restore <id> | delete <id>`.
 *
 * Backups are folders `.coral_backup_<YYYYmmdd_HHMMSS>` beside `.coral`;
 * sizes are measured on disk. Restore verifies the copy before swapping it
 * in (docs/CLUSTERING.md "Backups").
 */
import { CoralError } from '../../errors.js'
import {
  createBackup,
  deleteBackup,
  listBackups,
  recoverInterruptedRestore,
  restoreBackup,
} from '../../migrate/backup.js'
import type { BackupInfo } from '../../api/contract.js'
import type { CliContext, CommandSpec } from '../command.js'
import { formatBytes, formatTable } from '../format.js'
import { openRepository } from '../open-repo.js'

function printList(ctx: CliContext, backups: BackupInfo[]): void {
  if (backups.length === 0) {
    ctx.out('No backups.')
    return
  }
  ctx.out(
    formatTable(
      ['Id', 'Created', 'Size', 'Commits', 'Clustered'],
      backups.map((b) => [
        b.id,
        b.createdAt,
        formatBytes(b.bytes),
        b.commits === undefined ? '?' : String(b.commits),
        b.clustered === undefined ? '?' : b.clustered ? 'yes' : 'no',
      ]),
    ),
  )
}

function idOf(positionals: string[], action: string): string {
  const id = positionals[1]
  if (!id) {
    throw new CoralError(
      'InvalidArgument',
      `backup ${action} needs a backup id (see "coral-ml backup list")`,
    )
  }
  return id
}

export const backupCommand: CommandSpec = {
  name: 'backup',
  summary: 'List, create, restore or delete backups of the store',
  usage: 'coral-ml backup list | create | restore <id> | delete <id>',
  async run(ctx, { positionals }) {
    await recoverInterruptedRestore(ctx.repoPath)
    const repo = await openRepository(ctx.repoPath)
    const action = positionals[0] ?? 'list'
    switch (action) {
      case 'list': {
        const backups = await listBackups(repo)
        return ctx.json ? ctx.printJson(backups) : printList(ctx, backups)
      }
      case 'create': {
        const backup = await createBackup(repo, { signal: ctx.signal })
        return ctx.json
          ? ctx.printJson(backup)
          : ctx.out(`Backup created at ${backup.path} (${formatBytes(backup.bytes)})`)
      }
      case 'restore': {
        const backup = await restoreBackup(repo, idOf(positionals, 'restore'), {
          signal: ctx.signal,
        })
        return ctx.json
          ? ctx.printJson(backup)
          : ctx.out(
              `Restored ${backup.id} (created ${backup.createdAt}); the backup itself is kept`,
            )
      }
      case 'delete': {
        const remaining = await deleteBackup(repo, idOf(positionals, 'delete'))
        return ctx.json ? ctx.printJson(remaining) : printList(ctx, remaining)
      }
      default:
        throw new CoralError(
          'InvalidArgument',
          `Unknown backup command "${action}"; use list, create, restore or delete`,
        )
    }
  },
}
