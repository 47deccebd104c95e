/**
 * Long requests in flight: their progress, samples and cancel handles.
 *
 * Every long request goes through `runJob`, so each one shows progress and
 * can be cancelled the same way. Progress events do not touch the store one
 * by one: they go into a per-job ring buffer and are flushed to the store at
 * most once per animation frame, so a burst of events costs one re-render.
 */
import { create } from 'zustand'
import type { CoreMethod, ParamsOf, Progress, ResultOf } from '../../core/api/contract'
import type { PendingRequest } from '../lib/bridge'
import { getBridge } from '../lib/current-bridge'
import { RingBuffer } from '../lib/ring-buffer'

/** The kinds of long request; one of each can run at a time. */
export type JobKey =
  | 'open'
  | 'import'
  | 'analyze'
  | 'preview'
  | 'sweep'
  | 'migrate'
  | 'validate'
  | 'optimize'
  | 'backup'
  | 'tensor'

/** Progress samples kept per job for charts and rates. */
export const SAMPLE_CAPACITY = 300

/** One job as components see it. */
export interface JobState {
  /** What the job does, for the progress line ("Analysing clusters"). */
  label: string
  running: boolean
  /** True once the user asked to cancel and the core has not answered yet. */
  cancelRequested: boolean
  /** The newest progress event, or null before the first. */
  progress: Progress | null
  /** The last `SAMPLE_CAPACITY` progress events, oldest first. */
  samples: readonly Progress[]
}

interface JobsState {
  jobs: Partial<Record<JobKey, JobState>>
}

/** The jobs store; select one job's fields narrowly. */
export const useJobsStore = create<JobsState>()(() => ({ jobs: {} }))

interface Live {
  token: number
  ring: RingBuffer<Progress>
  cancel(): void
}

const live = new Map<JobKey, Live>()
const dirty = new Set<JobKey>()
let nextToken = 1
let frameRequested = false

type FrameScheduler = (flush: () => void) => void

const defaultScheduler: FrameScheduler = (flush) => {
  if (typeof requestAnimationFrame === 'function') {
    requestAnimationFrame(() => flush())
  } else {
    setTimeout(flush, 16)
  }
}
let scheduleFrame: FrameScheduler = defaultScheduler

/** Replaces the once-per-frame scheduler (tests pass one they drive by hand). */
export function setFrameScheduler(scheduler: FrameScheduler | null): void {
  scheduleFrame = scheduler ?? defaultScheduler
}

/** Copies buffered progress into the store now, in one `setState`. */
export function flushProgress(): void {
  frameRequested = false
  if (dirty.size === 0) {
    return
  }
  const jobs = { ...useJobsStore.getState().jobs }
  for (const key of dirty) {
    const job = jobs[key]
    const state = live.get(key)
    if (job !== undefined && state !== undefined) {
      jobs[key] = { ...job, progress: state.ring.last() ?? null, samples: state.ring.toArray() }
    }
  }
  dirty.clear()
  useJobsStore.setState({ jobs })
}

function requestFlush(): void {
  if (!frameRequested) {
    frameRequested = true
    scheduleFrame(flushProgress)
  }
}

function patchJob(key: JobKey, patch: Partial<JobState>): void {
  useJobsStore.setState((s) => {
    const job = s.jobs[key]
    return job === undefined ? s : { jobs: { ...s.jobs, [key]: { ...job, ...patch } } }
  })
}

/**
 * Sends a long request and tracks it as job `key`.
 *
 * A job already running under the same key is cancelled first: the newer
 * request supersedes it, and the older one's progress is ignored from then on.
 * The returned promise settles like the request (rejecting with `Cancelled`
 * after a cancel).
 */
export async function runJob<M extends CoreMethod>(
  key: JobKey,
  label: string,
  method: M,
  params: ParamsOf<M>,
): Promise<ResultOf<M>> {
  live.get(key)?.cancel()
  dirty.delete(key)
  const token = nextToken++
  const ring = new RingBuffer<Progress>(SAMPLE_CAPACITY)
  useJobsStore.setState((s) => ({
    jobs: {
      ...s.jobs,
      [key]: { label, running: true, cancelRequested: false, progress: null, samples: [] },
    },
  }))

  const isCurrent = () => live.get(key)?.token === token
  let pending: PendingRequest<ResultOf<M>>
  try {
    pending = getBridge().request(method, params, (progress) => {
      if (isCurrent()) {
        ring.push(progress)
        dirty.add(key)
        requestFlush()
      }
    })
  } catch (error) {
    patchJob(key, { running: false })
    throw error
  }
  live.set(key, { token, ring, cancel: () => pending.cancel() })

  try {
    return await pending.result
  } finally {
    if (isCurrent()) {
      // Show the final samples before the job reads as finished.
      flushProgress()
      live.delete(key)
      patchJob(key, { running: false })
    }
  }
}

/** Asks the core to stop job `key`; its request then rejects with `Cancelled`. */
export function cancelJob(key: JobKey): void {
  const state = live.get(key)
  if (state !== undefined) {
    patchJob(key, { cancelRequested: true })
    state.cancel()
  }
}

/** True while job `key` has a request in flight. */
export function isJobRunning(key: JobKey): boolean {
  return live.has(key)
}

/** Forgets every job (used when another repository is opened, and by tests). */
export function resetJobs(): void {
  for (const state of live.values()) {
    state.cancel()
  }
  live.clear()
  dirty.clear()
  frameRequested = false
  useJobsStore.setState({ jobs: {} })
}
