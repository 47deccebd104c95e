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
  const [status, validation, optimize, fix] = useStatusStore(
    useShallow((s) => [s.status, s.validation, s.optimize, s.fix]),
  )
  const [loadStatus, validate, runOptimize, setFix] = useStatusStore(
    useShallow((s) => [s.loadStatus, s.validate, s.runOptimize, s.setFix]),
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
      <div className="row">
        <button type="button" onClick={() => void validate()} disabled={busy}>
          Validate
        </button>
        <label className="check">
          <input type="checkbox" checked={fix} onChange={(e) => setFix(e.target.checked)} />
          Fix problems
        </label>
      </div>
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
      <button type="button" onClick={() => void runOptimize()} disabled={busy}>
        Optimize
      </button>
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
