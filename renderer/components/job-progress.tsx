/**
 * Progress and a Cancel button for one long request.
 *
 * Shows phase, items done of total, bytes in and out, throughput and time
 * left, all measured from the core's progress events.
 */
import { formatBytes, formatCount, formatDuration, formatRate } from '../lib/format'
import { measureRates, percentDone } from '../lib/progress-rate'
import { cancelJob, useJobsStore, type JobKey } from '../stores/jobs-store'
import { ProgressBar } from './progress-bar'

interface JobProgressProps {
  jobKey: JobKey
  /** Also show throughput and time left (for jobs that move bytes). */
  detailed?: boolean
}

/** The progress line of job `jobKey`, shown only while it runs. */
export function JobProgress({ jobKey, detailed = false }: JobProgressProps) {
  const job = useJobsStore((s) => s.jobs[jobKey])
  if (job === undefined || !job.running) {
    return null
  }
  const progress = job.progress
  const rates = detailed ? measureRates(job.samples) : null
  return (
    <section className="job" aria-label={`${job.label} progress`}>
      <div className="job-head">
        <strong>{job.label}</strong>
        {progress !== null && <span className="job-phase">{progress.phase}</span>}
        {progress !== null && progress.total > 0 && (
          <span>
            {formatCount(progress.done)} of {formatCount(progress.total)}
          </span>
        )}
        <button
          type="button"
          className="button-secondary"
          onClick={() => cancelJob(jobKey)}
          disabled={job.cancelRequested}
        >
          Cancel
        </button>
      </div>
      <ProgressBar percent={progress === null ? null : percentDone(progress)} label={job.label} />
      {job.cancelRequested && <p className="muted">Cancelling…</p>}
      {progress !== null && (progress.bytesIn > 0 || progress.bytesOut > 0) && (
        <dl className="job-figures">
          <dt>Bytes in</dt>
          <dd>{formatBytes(progress.bytesIn)}</dd>
          <dt>Bytes out</dt>
          <dd>{formatBytes(progress.bytesOut)}</dd>
          <dt>Elapsed</dt>
          <dd>{formatDuration(progress.elapsedMs)}</dd>
          {rates !== null && (
            <>
              <dt>Rate</dt>
              <dd>{rates.bytesInPerSecond === null ? '—' : formatRate(rates.bytesInPerSecond)}</dd>
              <dt>Phase time left</dt>
              <dd>{rates.etaMs === null ? '—' : formatDuration(rates.etaMs)}</dd>
            </>
          )}
        </dl>
      )}
    </section>
  )
}
