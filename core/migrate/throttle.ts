/**
 * Limits progress reports to about ten per second.
 */
import type { ProgressCallback, ProgressReport } from '../repo/progress.js'

/** Minimum time between two reports, in milliseconds. */
export const PROGRESS_INTERVAL_MS = 100

/**
 * Wraps `callback` so it fires at most every `PROGRESS_INTERVAL_MS`; a report
 * with `force` (the end of a phase) always goes through.
 */
export function createThrottle(
  callback: ProgressCallback | undefined,
  intervalMs = PROGRESS_INTERVAL_MS,
): (report: ProgressReport, force?: boolean) => void {
  let last = -Infinity
  return (report, force = false) => {
    if (!callback) {
      return
    }
    const now = performance.now()
    if (force || now - last >= intervalMs) {
      last = now
      callback(report)
    }
  }
}
