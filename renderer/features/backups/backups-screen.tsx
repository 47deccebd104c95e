/**
 * Backups: list, create, restore (confirmed) and delete (confirmed).
 */
import { useEffect, useState } from 'react'
import type { BackupInfo, RepoSummary } from '../../../core/api/contract'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { JobProgress } from '../../components/job-progress'
import { formatBytes, formatCount, formatThreshold, formatTime } from '../../lib/format'
import { useBackupsStore } from '../../stores/backups-store'
import { useJobsStore } from '../../stores/jobs-store'
import { useRepoStore } from '../../stores/repo-store'

type Pending = { action: 'restore' | 'delete'; backup: BackupInfo } | null

/** The Backups screen. */
export function BackupsScreen() {
  const backups = useBackupsStore((s) => s.backups)
  const load = useBackupsStore((s) => s.load)
  const create = useBackupsStore((s) => s.create)
  const busy = useJobsStore((s) => s.jobs.backup?.running === true)
  const [pending, setPending] = useState<Pending>(null)

  useEffect(() => {
    void load()
  }, [load])

  return (
    <div className="screen">
      <h1>Backups</h1>
      <div className="row">
        <button type="button" onClick={() => void create()} disabled={busy}>
          Create backup
        </button>
      </div>
      <JobProgress jobKey="backup" detailed />
      {backups === null ? (
        <p className="muted">Loading…</p>
      ) : backups.length === 0 ? (
        <p className="muted">No backups yet.</p>
      ) : (
        <BackupTable backups={backups} busy={busy} onAction={setPending} />
      )}
      {pending !== null && <PendingDialog pending={pending} onDone={() => setPending(null)} />}
    </div>
  )
}

function BackupTable({
  backups,
  busy,
  onAction,
}: {
  backups: BackupInfo[]
  busy: boolean
  onAction(p: Pending): void
}) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Taken</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">Folder</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {backups.map((b) => (
            <tr key={b.id}>
              <td>{formatTime(b.createdAt)}</td>
              <td className="num">{formatBytes(b.bytes)}</td>
              <td>
                <code title={b.path}>{b.id}</code>
              </td>
              <td className="actions">
                <button
                  type="button"
                  className="button-small"
                  disabled={busy}
                  onClick={() => onAction({ action: 'restore', backup: b })}
                >
                  Restore
                </button>
                <button
                  type="button"
                  className="button-small button-secondary"
                  disabled={busy}
                  onClick={() => onAction({ action: 'delete', backup: b })}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** "clustered (adaptive, 0.900)" or "not clustered". */
function describeClustering(summary: RepoSummary): string {
  const c = summary.clustering
  if (!c.migrated) {
    return 'not clustered'
  }
  const threshold = c.threshold === null ? '' : `, ${formatThreshold(c.threshold)}`
  return `clustered (${c.strategy ?? 'unknown strategy'}${threshold})`
}

function PendingDialog({ pending, onDone }: { pending: NonNullable<Pending>; onDone(): void }) {
  const restore = useBackupsStore((s) => s.restore)
  const remove = useBackupsStore((s) => s.remove)
  const summary = useRepoStore((s) => s.summary)
  const { backup } = pending
  const taken = formatTime(backup.createdAt)
  if (pending.action === 'restore') {
    return (
      <ConfirmDialog
        title="Restore this backup?"
        confirmLabel="Restore"
        onCancel={onDone}
        onConfirm={() => {
          onDone()
          void restore(backup.id)
        }}
      >
        <p>
          The repository goes back to how it was at {taken}: its commits, branches, tags, staged
          tensors and storage (clustered or not) become those of the backup (
          {formatBytes(backup.bytes)}).
        </p>
        {backup.commits !== undefined && backup.clustered !== undefined && (
          <p>
            The backup has {formatCount(backup.commits)} commit{backup.commits === 1 ? '' : 's'} and
            is {backup.clustered ? 'clustered' : 'not clustered'}.
          </p>
        )}
        {summary !== null && (
          <p>
            Now it has {formatCount(summary.commits)} commit{summary.commits === 1 ? '' : 's'}, is{' '}
            {describeClustering(summary)} and takes {formatBytes(summary.storedBytes)} on disk.
          </p>
        )}
        <p>
          Anything committed, staged or migrated since then is lost: create a backup first if you
          may want it back. The backup is verified before it replaces anything, and every backup is
          kept.
        </p>
      </ConfirmDialog>
    )
  }
  return (
    <ConfirmDialog
      title="Delete this backup?"
      confirmLabel="Delete"
      onCancel={onDone}
      onConfirm={() => {
        onDone()
        void remove(backup.id)
      }}
    >
      <p>
        The backup taken at {taken} ({formatBytes(backup.bytes)}) is deleted from disk. This cannot
        be undone; the repository itself is not changed.
      </p>
    </ConfirmDialog>
  )
}
