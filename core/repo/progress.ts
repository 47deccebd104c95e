/**
 * Progress reports of long operations, as the core emits them.
 *
 * `done`/`total` count units of the phase (tensors, commits); `bytesIn` is raw
 * tensor bytes processed so far and `bytesOut` the bytes written for them.
 * Front ends derive rate and ETA from successive reports (docs/CLUSTERING.md).
 */
export interface ProgressReport {
  phase: string
  done: number
  total: number
  bytesIn: number
  bytesOut: number
}

export type ProgressCallback = (report: ProgressReport) => void
