/**
 * Status, Validate and Optimize on one screen.
 */
import { useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { OptimizeReport, StatusReport } from '../../../core/api/contract'
import { Figures } from '../../components/figures'
import { JobProgress } from '../../components/job-progress'
import { ValidationView } from '../../components/validation-view'
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  formatThreshold,
  formatTime,
} from '../../lib/format'
import { useJobsStore } from '../../stores/jobs-store'
import { useStatusStore } from '../../stores/status-store'

/** The Status screen. */
export function StatusScreen() {
  const [status, validation, optimize] = useStatusStore(
    useShallow((s) => [s.status, s.validation, s.optimize]),
  )
  const [loadStatus, validate, runOptimize] = useStatusStore(
    useShallow((s) => [s.loadStatus, s.validate, s.runOptimize]),
  )
  const busy = useJobsStore(
    (s) => s.jobs.validate?.running === true || s.jobs.optimize?.running === true,
  )

  useEffect(() => {
    void loadStatus()
  }, [loadStatus])

  return (
    <div className="screen">
      <h1>Status</h1>
      {status === null ? <p className="muted">Loading…</p> : <StatusFigures status={status} />}

      <h2>Validate</h2>
      <p className="muted">
        Reads back every tensor of every commit and checks it against its id; changes nothing.
      </p>
      <div className="row">
        <button type="button" onClick={() => void validate()} disabled={busy}>
          Validate
        </button>
        {validation !== null && validation.unfixed > 0 && (
          <button
            type="button"
            className="button-secondary"
            onClick={() => void validate(true)}
            disabled={busy}
          >
            Fix problems
          </button>
        )}
      </div>
      {validation !== null && validation.unfixed > 0 && (
        <p className="muted">
          Fix problems validates again and repairs what it can: it finishes an interrupted restore
          or migration, removes temporary files and unreferenced objects, restores damaged commits
          and tensors from a backup holding a good copy, and rebuilds the clustering index. What no
          backup holds cannot be repaired.
        </p>
      )}
      <JobProgress jobKey="validate" />
      {validation !== null && (
        <ValidationView
          report={validation}
          passedText="Validation passed: every tensor reads back exactly."
        />
      )}

      <h2>Optimize</h2>
      <p className="muted">
        Re-encodes tensors where a better reference or delta now exists and removes unreferenced
        objects.
      </p>
      <button
        type="button"
        onClick={() => void runOptimize()}
        disabled={busy || status?.migrated !== true}
        aria-describedby={status?.migrated === false ? 'optimize-needs-migration' : undefined}
      >
        Optimize
      </button>
      {status?.migrated === false && (
        <p className="muted" id="optimize-needs-migration">
          Optimize works on a clustered repository: run Migrate first.
        </p>
      )}
      <JobProgress jobKey="optimize" detailed />
      {optimize !== null && <OptimizeView report={optimize} />}
    </div>
  )
}

function StatusFigures({ status }: { status: StatusReport }) {
  return (
    <Figures
      label="Clustering status"
      items={[
        {
          label: 'Clustering',
          value: status.migrated
            ? `Clustered (${status.strategy ?? '—'}, ${status.threshold === null ? '—' : formatThreshold(status.threshold)})`
            : 'Not clustered',
        },
        { label: 'Clusters', value: formatCount(status.clusters) },
        { label: 'Clustered tensors', value: formatCount(status.clusteredTensors) },
        { label: 'Standalone tensors', value: formatCount(status.standaloneTensors) },
        {
          label: 'Stored bytes',
          value: formatBytes(status.storedBytes),
          title: 'Measured on disk',
        },
        { label: 'Raw bytes', value: formatBytes(status.rawBytes) },
        {
          label: 'Standalone bytes',
          value: formatBytes(status.standaloneBytes),
          title: 'What the same tensors took stored standalone',
        },
        { label: 'Bytes saved', value: formatBytes(status.bytesSaved) },
        {
          label: 'Reduction',
          value: formatPercent(status.reduction),
          title: 'Bytes saved / standalone bytes',
        },
        {
          label: 'Last migration',
          value: status.lastMigration === null ? 'never' : formatTime(status.lastMigration),
        },
      ]}
    />
  )
}

function OptimizeView({ report }: { report: OptimizeReport }) {
  const saved = report.bytesBefore - report.bytesAfter
  return (
    <Figures
      label="Optimize results"
      items={[
        { label: 'Bytes before', value: formatBytes(report.bytesBefore) },
        { label: 'Bytes after', value: formatBytes(report.bytesAfter) },
        {
          label: 'Saved',
          value: `${formatBytes(saved)} (${formatPercent(report.bytesBefore > 0 ? saved / report.bytesBefore : Number.NaN)})`,
        },
        { label: 'Re-encoded tensors', value: formatCount(report.reencoded) },
        { label: 'Removed objects', value: formatCount(report.removedObjects) },
        { label: 'Time', value: formatDuration(report.elapsedMs) },
      ]}
    />
  )
}
