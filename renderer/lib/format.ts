/**
 * The one place figures are turned into text.
 *
 * Sizes use decimal units (powers of 1000: 1 KB = 1,000 B, 1 MB = 1,000,000 B),
 * like disk vendors and file managers on Linux and macOS. Fractions (0 to 1)
 * are shown as percents with one decimal. Output is locale-independent
 * (en-US separators) so screenshots and tests read the same everywhere.
 */

const UNITS = ['KB', 'MB', 'GB', 'TB', 'PB'] as const
const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })

/**
 * Formats a byte count.
 *
 * Below 10,000 B the exact count is shown with a thousands separator
 * (`1,234 B`); above it, three significant digits in the largest unit that
 * keeps the number at or above 1 (`12.3 KB`, `4.56 MB`, `123 GB`). Negative
 * counts (a store that grew) keep their sign. Non-finite input gives `—`.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) {
    return '—'
  }
  const sign = bytes < 0 ? '-' : ''
  let value = Math.abs(bytes)
  if (value < 10_000) {
    return `${sign}${GROUPED.format(Math.round(value))} B`
  }
  let unit = 0
  value /= 1000
  // Round first, then re-check: 999,999 B must read 1.00 MB, not 1000 KB.
  while (unit < UNITS.length - 1 && Number(value.toPrecision(3)) >= 1000) {
    value /= 1000
    unit += 1
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
  return `${sign}${value.toFixed(digits)} ${UNITS[unit]}`
}

/** Formats a rate in bytes per second, e.g. `12.3 MB/s`. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

/** Formats a fraction from 0 to 1 as a percent with one decimal, e.g. `0.4567` → `45.7%`. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) {
    return '—'
  }
  return `${(fraction * 100).toFixed(1)}%`
}

/** Formats a count with thousands separators, e.g. `12,345`. */
export function formatCount(count: number): string {
  return Number.isFinite(count) ? GROUPED.format(count) : '—'
}

/** Formats a cosine similarity (-1 to 1) with four decimals, e.g. `0.9964`. */
export function formatSimilarity(similarity: number | null): string {
  return similarity === null || !Number.isFinite(similarity) ? '—' : similarity.toFixed(4)
}

/** Formats a threshold (0 to 1) with three decimals, matching the slider step of 0.005. */
export function formatThreshold(threshold: number): string {
  return threshold.toFixed(3)
}

/** Formats a duration in milliseconds: `850 ms`, `12.3 s`, `3 min 05 s`, `1 h 02 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    return '—'
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`
  }
  const seconds = ms / 1000
  if (seconds < 60) {
    return `${seconds.toFixed(1)} s`
  }
  const totalSeconds = Math.round(seconds)
  const minutes = Math.floor(totalSeconds / 60)
  if (minutes < 60) {
    return `${minutes} min ${String(totalSeconds % 60).padStart(2, '0')} s`
  }
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
}

/** Formats an ISO 8601 time in the user's locale, or returns the input when it does not parse. */
export function formatTime(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString()
}

/** Formats a tensor shape, e.g. `[128, 64]`; a 0-d tensor reads `[] (scalar)`. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? '[] (scalar)' : `[${shape.join(', ')}]`
}

/** A short form of a content id for tables (the first 12 characters). */
export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id
}
