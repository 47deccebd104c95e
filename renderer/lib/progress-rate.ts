/**
 * Throughput and time-remaining estimates from progress samples.
 *
 * Both are measured over a sliding window (the last few seconds), so a slow
 * start or a pause does not skew them for the rest of the run.
 */
import type { Progress } from '../../core/api/contract'

/** Window over which rates are measured, in milliseconds. */
export const RATE_WINDOW_MS = 5000

/** Rates derived from progress samples; null where there is not enough data yet. */
export interface ProgressRates {
  /** Bytes read per second over the window. */
  bytesInPerSecond: number | null
  /** Items done per second over the window, within the current phase. */
  itemsPerSecond: number | null
  /** Remaining items divided by the item rate, in milliseconds. */
  etaMs: number | null
}

/**
 * Measures rates from samples ordered by `elapsedMs` (oldest first).
 *
 * The item rate only uses samples of the newest sample's phase (with the same
 * total): `done` restarts at each phase, so mixing phases would be nonsense.
 */
export function measureRates(
  samples: readonly Progress[],
  windowMs: number = RATE_WINDOW_MS,
): ProgressRates {
  const last = samples.at(-1)
  if (last === undefined) {
    return { bytesInPerSecond: null, itemsPerSecond: null, etaMs: null }
  }
  const from = last.elapsedMs - windowMs
  const inWindow = samples.filter((s) => s.elapsedMs >= from && s.elapsedMs < last.elapsedMs)

  // Bytes: any phase, bytesIn is cumulative over the whole request.
  const firstAny = inWindow[0]
  const bytesInPerSecond =
    firstAny === undefined
      ? null
      : ((last.bytesIn - firstAny.bytesIn) * 1000) / (last.elapsedMs - firstAny.elapsedMs)

  // Items: same phase and total only.
  const firstSame = inWindow.find((s) => s.phase === last.phase && s.total === last.total)
  const itemsPerSecond =
    firstSame === undefined
      ? null
      : ((last.done - firstSame.done) * 1000) / (last.elapsedMs - firstSame.elapsedMs)
  const remaining = Math.max(0, last.total - last.done)
  const etaMs =
    itemsPerSecond === null || itemsPerSecond <= 0
      ? remaining === 0 && last.total > 0
        ? 0
        : null
      : (remaining / itemsPerSecond) * 1000
  return { bytesInPerSecond, itemsPerSecond, etaMs }
}

/** Percent done from 0 to 100 (rounded), or null when the total is not known yet. */
export function percentDone(progress: Pick<Progress, 'done' | 'total'>): number | null {
  if (!(progress.total > 0)) {
    return null
  }
  return Math.min(100, Math.max(0, Math.round((progress.done / progress.total) * 100)))
}
