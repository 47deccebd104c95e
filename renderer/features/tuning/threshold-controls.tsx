/**
 * The threshold slider and the strategy picker.
 */
import { useId } from 'react'
import type { Strategy } from '../../../core/api/contract'
import { formatThreshold } from '../../lib/format'
import { THRESHOLD_MAX, THRESHOLD_MIN, THRESHOLD_STEP } from '../../stores/tuning-store'

/** The definition shown next to every threshold control. */
export const THRESHOLD_DEFINITION =
  'Minimum cosine similarity between a member and its cluster reference. Higher means tighter clusters and fewer deltas.'

/** A labelled range input for the threshold (0.5 to 1.0, step 0.005). */
export function ThresholdSlider({
  value,
  onChange,
}: {
  value: number
  onChange(value: number): void
}) {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>Threshold</label>
      <div className="row">
        <input
          id={id}
          type="range"
          min={THRESHOLD_MIN}
          max={THRESHOLD_MAX}
          step={THRESHOLD_STEP}
          value={value}
          aria-describedby={`${id}-definition`}
          aria-valuetext={formatThreshold(value)}
          onChange={(e) => onChange(Number(e.target.value))}
        />
        <output htmlFor={id} className="slider-value">
          {formatThreshold(value)}
        </output>
      </div>
      <small id={`${id}-definition`} className="muted">
        {THRESHOLD_DEFINITION}
      </small>
    </div>
  )
}

/** What each strategy does, in one line. */
export const STRATEGY_HINTS: Record<Strategy, string> = {
  adaptive: 'picks per group by measured encoded bytes on a sample',
  kmeans: 'k-means on tensor sketches',
  hierarchical: 'agglomerative clustering on tensor sketches',
  dbscan: 'density-based clustering on tensor sketches',
}

// Only types cross from the core; the Record above makes this list exhaustive.
const STRATEGY_OPTIONS = Object.keys(STRATEGY_HINTS) as Strategy[]

/** A labelled select of the clustering strategies. */
export function StrategyPicker({
  value,
  onChange,
}: {
  value: Strategy
  onChange(value: Strategy): void
}) {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>Strategy</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as Strategy)}>
        {STRATEGY_OPTIONS.map((s) => (
          <option key={s} value={s}>
            {s}: {STRATEGY_HINTS[s]}
          </option>
        ))}
      </select>
    </div>
  )
}
