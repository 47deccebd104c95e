/**
 * The clustering options and the live dry-run preview.
 *
 * The strategy and threshold chosen here are the ones Analysis uses and the
 * Migrate form starts from. Moving the threshold cancels the preview in
 * flight at once and starts a new one after `PREVIEW_DEBOUNCE_MS` of quiet,
 * so dragging the slider never queues stale dry runs in the core.
 */
import { create } from 'zustand'
import type { DryRunReport, Strategy, SweepPoint } from '../../core/api/contract'
import { isCancelled } from '../lib/describe-error'
import { reportError } from './app-store'
import { cancelJob, runJob } from './jobs-store'
import { useRepoStore } from './repo-store'

/** Quiet time after the last threshold change before a preview starts, in milliseconds. */
export const PREVIEW_DEBOUNCE_MS = 300

/** Slider range and step; the step matches the three decimals shown. */
export const THRESHOLD_MIN = 0.5
export const THRESHOLD_MAX = 1
export const THRESHOLD_STEP = 0.005

/** Thresholds the sweep curve is computed at: 0.5 to 1.0 in steps of 0.025. */
export const SWEEP_THRESHOLDS: readonly number[] = Array.from(
  { length: 21 },
  (_, i) => Math.round((0.5 + i * 0.025) * 1000) / 1000,
)

interface TuningState {
  strategy: Strategy
  /** Minimum cosine similarity between a member and its cluster reference. */
  threshold: number
  preview: DryRunReport | null
  sweep: SweepPoint[] | null
  /** Strategy the sweep was computed for (the curve is stale once it changes). */
  sweepStrategy: Strategy | null
  setThreshold(threshold: number): void
  setStrategy(strategy: Strategy): void
  /** Runs the dry run now, skipping the debounce. */
  previewNow(): Promise<void>
  runSweep(): Promise<void>
}

const initial = {
  strategy: 'adaptive' as Strategy,
  threshold: 0.9,
  preview: null,
  sweep: null,
  sweepStrategy: null,
}

let timer: ReturnType<typeof setTimeout> | null = null
/** Increases with every preview started; only the newest may write its result. */
let previewSeq = 0

function schedulePreview(): void {
  // The value changed: whatever is in flight answers an old question.
  cancelJob('preview')
  if (timer !== null) {
    clearTimeout(timer)
  }
  timer = setTimeout(() => {
    timer = null
    void useTuningStore.getState().previewNow()
  }, PREVIEW_DEBOUNCE_MS)
}

/** The tuning store. */
export const useTuningStore = create<TuningState>()((set, get) => ({
  ...initial,

  setThreshold: (threshold) => {
    const clamped = Math.min(THRESHOLD_MAX, Math.max(THRESHOLD_MIN, threshold))
    set({ threshold: clamped })
    schedulePreview()
  },

  setStrategy: (strategy) => {
    set({ strategy })
    schedulePreview()
  },

  previewNow: async () => {
    if (timer !== null) {
      clearTimeout(timer)
      timer = null
    }
    const seq = ++previewSeq
    const { strategy, threshold } = get()
    try {
      const preview = await runJob('preview', 'Dry run', 'dryRun', { strategy, threshold })
      if (seq === previewSeq) {
        set({ preview })
      }
    } catch (error) {
      // A cancelled preview was superseded or stopped on purpose: nothing to report.
      if (seq === previewSeq && !isCancelled(error)) {
        reportError(error)
      }
    }
  },

  runSweep: async () => {
    const { strategy } = get()
    try {
      const sweep = await runJob('sweep', 'Threshold sweep', 'sweep', {
        strategy,
        thresholds: [...SWEEP_THRESHOLDS],
      })
      set({ sweep, sweepStrategy: strategy })
    } catch (error) {
      if (!isCancelled(error)) {
        reportError(error)
      }
    }
  },
}))

/** Stops the pending debounce timer (when leaving the screen, and in tests). */
export function cancelPendingPreview(): void {
  if (timer !== null) {
    clearTimeout(timer)
    timer = null
  }
  cancelJob('preview')
}

// Results describe the repository they were computed on.
useRepoStore.subscribe((s, prev) => {
  if (s.epoch !== prev.epoch) {
    cancelPendingPreview()
    useTuningStore.setState({ preview: null, sweep: null, sweepStrategy: null })
  }
})
