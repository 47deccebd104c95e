/**
 * An accessible progress bar (0 to 100), indeterminate when `percent` is null.
 */
interface ProgressBarProps {
  /** Percent done, 0 to 100, or null when the total is not known yet. */
  percent: number | null
  label: string
}

/** A `role="progressbar"` element with the ARIA value attributes. */
export function ProgressBar({ percent, label }: ProgressBarProps) {
  return (
    <div
      className={percent === null ? 'progress progress-indeterminate' : 'progress'}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent ?? undefined}
    >
      <div className="progress-fill" style={{ width: `${percent ?? 100}%` }} />
    </div>
  )
}
