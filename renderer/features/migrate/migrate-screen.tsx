/**
 * Migrate: options, live progress with Cancel, then the report.
 */
import { useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { JobProgress } from '../../components/job-progress'
import { useJobsStore } from '../../stores/jobs-store'
import { useMigrateStore } from '../../stores/migrate-store'
import { MigrateForm } from './migrate-form'
import { MigrationReportView } from './migration-report-view'
import { SavedChart } from './saved-chart'

/** The Migrate screen. */
export function MigrateScreen() {
  const [outcome, report, syncFromTuning] = useMigrateStore(
    useShallow((s) => [s.outcome, s.report, s.syncFromTuning]),
  )
  const running = useJobsStore((s) => s.jobs.migrate?.running === true)

  useEffect(() => syncFromTuning(), [syncFromTuning])

  return (
    <div className="screen">
      <h1>Migrate</h1>
      <p className="muted">
        Rewrites how tensors are stored (cluster references plus lossless deltas). Commits and
        tensor ids do not change, and every tensor is verified afterwards.
      </p>
      <MigrateForm disabled={running} />
      <JobProgress jobKey="migrate" detailed />
      {(running || outcome !== 'idle') && <SavedChart />}
      {outcome === 'cancelled' && (
        <p className="muted">The migration was cancelled; run Migrate again to resume.</p>
      )}
      {report !== null && <MigrationReportView report={report} />}
    </div>
  )
}
