/**
 * A one-line progress bar on a terminal's stderr.
 *
 * Shows phase, done/total, bytes in and out, rate and ETA. Rate is raw bytes
 * processed per second since the phase began; ETA is the remaining items
 * divided by the item rate. Redraws at most ten times a second. When stderr
 * is not a terminal the bar prints nothing, so piped output stays clean.
 */
import type { ProgressReport } from '../repo/progress.js'
import { formatBytes, formatDuration } from './format.js'

export function createProgressBar(
  label: string,
  stream: NodeJS.WriteStream,
  enabled: boolean,
): ((report: ProgressReport) => void) & { finish(): void } {
  let lastDraw = 0
  let phaseStart = Date.now()
  let phase = ''
  let drawn = false
  const update = (report: ProgressReport) => {
    if (!enabled) {
      return
    }
    const now = Date.now()
    if (report.phase !== phase) {
      phase = report.phase
      phaseStart = now
    }
    if (now - lastDraw < 100 && report.done < report.total) {
      return
    }
    lastDraw = now
    const seconds = Math.max((now - phaseStart) / 1000, 0.001)
    const fraction = report.total > 0 ? report.done / report.total : 0
    const width = 24
    const filled = Math.round(fraction * width)
    const rate = report.bytesIn / seconds
    const eta = report.done > 0 ? ((report.total - report.done) * seconds) / report.done : undefined
    const line =
      `${label} ${report.phase} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` +
      `${report.done}/${report.total}  in ${formatBytes(report.bytesIn)} out ${formatBytes(report.bytesOut)}  ` +
      `${formatBytes(rate)}/s  ETA ${eta === undefined ? '?' : formatDuration(eta * 1000)}`
    stream.write(`\r\x1b[2K${line.slice(0, (stream.columns || 120) - 1)}`)
    drawn = true
  }
  return Object.assign(update, {
    finish() {
      if (drawn) {
        stream.write('\r\x1b[2K')
        drawn = false
      }
    },
  })
}
