/**
 * Running a long computation in steps, so it can be cancelled.
 *
 * The clustering algorithms are generators that `yield` between iterations.
 * `runSteps` drives one to the end in one go; `runStepsAsync` gives the
 * event loop a turn every few milliseconds, so an abort that arrives as a
 * message (Ctrl-C, a cancel request from the UI) is seen while it runs. Both
 * check the signal at every step and throw `Cancelled`.
 */
import { throwIfAborted } from '../errors.js'

/** A computation that yields between units of work and returns `T`. */
export type Steps<T> = Generator<void, T, void>

/** Runs `steps` to completion synchronously, checking `signal` at every step. */
export function runSteps<T>(steps: Steps<T>, signal?: AbortSignal): T {
  for (;;) {
    throwIfAborted(signal)
    const next = steps.next()
    if (next.done) {
      return next.value
    }
  }
}

/** Time between event-loop turns in `runStepsAsync`, in milliseconds. */
export const STEP_SLICE_MS = 20

/**
 * Runs `steps` to completion, yielding to the event loop about every
 * `STEP_SLICE_MS` milliseconds so that `signal` can fire meanwhile.
 */
export async function runStepsAsync<T>(steps: Steps<T>, signal?: AbortSignal): Promise<T> {
  let sliceStart = performance.now()
  for (;;) {
    throwIfAborted(signal)
    const next = steps.next()
    if (next.done) {
      return next.value
    }
    if (performance.now() - sliceStart >= STEP_SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve))
      sliceStart = performance.now()
    }
  }
}
