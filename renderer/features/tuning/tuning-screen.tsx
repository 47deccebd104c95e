/**
 * Threshold tuning: a live dry-run preview and the threshold curve.
 */
import { useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { JobProgress } from '../../components/job-progress'
import { formatBytes, formatThreshold } from '../../lib/format'
import { useJobsStore } from '../../stores/jobs-store'
import { cancelPendingPreview, useTuningStore } from '../../stores/tuning-store'
import { PlanFigures } from '../analysis/plan-figures'
import { StrategyPicker, ThresholdSlider } from './threshold-controls'
import { SweepChart } from './sweep-chart'

/** The Threshold tuning screen. */
export function TuningScreen() {
  const [strategy, threshold, setStrategy, setThreshold, previewNow] = useTuningStore(
    useShallow((s) => [s.strategy, s.threshold, s.setStrategy, s.setThreshold, s.previewNow]),
  )
  // Leaving the screen drops a pending preview instead of running it unseen.
  useEffect(() => cancelPendingPreview, [])

  return (
    <div className="screen">
      <h1>Threshold tuning</h1>
      <div className="controls">
        <ThresholdSlider value={threshold} onChange={setThreshold} />
        <StrategyPicker value={strategy} onChange={setStrategy} />
        <div>
          <button type="button" onClick={() => void previewNow()}>
            Preview
          </button>
        </div>
      </div>
      <JobProgress jobKey="preview" />
      <PreviewPanel />
      <SweepPanel />
    </div>
  )
}

function PreviewPanel() {
  const [preview, threshold, strategy] = useTuningStore(
    useShallow((s) => [s.preview, s.threshold, s.strategy]),
  )
  const running = useJobsStore((s) => s.jobs.preview?.running === true)
  if (preview === null) {
    return running ? null : (
      <p className="muted">
        Move the slider or press Preview for a dry run. A dry run writes nothing.
      </p>
    )
  }
  const stale = preview.threshold !== threshold || preview.strategy !== strategy
  return (
    <section aria-label="Dry-run preview" className={stale ? 'stale' : undefined}>
      <h2>
        Dry run at {formatThreshold(preview.threshold)} ({preview.strategy})
        {stale && <span className="muted"> · updating…</span>}
      </h2>
      <PlanFigures
        plan={preview}
        extra={[{ label: 'Backup would take', value: formatBytes(preview.backupBytes) }]}
      />
    </section>
  )
}

function SweepPanel() {
  const [sweep, sweepStrategy, strategy, threshold, runSweep] = useTuningStore(
    useShallow((s) => [s.sweep, s.sweepStrategy, s.strategy, s.threshold, s.runSweep]),
  )
  const running = useJobsStore((s) => s.jobs.sweep?.running === true)
  return (
    <section>
      <div className="row">
        <h2>Threshold curve</h2>
        <button
          type="button"
          className="button-secondary"
          onClick={() => void runSweep()}
          disabled={running}
        >
          {sweep === null ? 'Compute curve' : 'Recompute curve'}
        </button>
        {sweep !== null && sweepStrategy !== strategy && (
          <span className="muted">computed for {sweepStrategy}</span>
        )}
      </div>
      <JobProgress jobKey="sweep" />
      {sweep !== null && <SweepChart points={sweep} threshold={threshold} />}
    </section>
  )
}
