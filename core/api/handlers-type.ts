/**
 * The shape of the core's request handlers.
 *
 * One async function per method of `CoreRequests`. The dispatcher validates
 * params before calling a handler, so a handler may trust their types and
 * ranges; it still checks everything about the file system itself.
 */
import type { CoreMethod, ParamsOf, Progress, ResultOf } from './contract.js'

/** What a handler receives besides its params. */
export interface RequestContext {
  /** Fires when the front end cancels the request or the core shuts down. */
  signal: AbortSignal
  /**
   * Reports progress; the dispatcher adds `elapsedMs` and throttles to about
   * ten messages per second, always delivering the last one before the result.
   */
  progress(p: Omit<Progress, 'elapsedMs'>): void
}

/** Every method of the contract, implemented. */
export type CoreHandlers = {
  [M in CoreMethod]: (params: ParamsOf<M>, ctx: RequestContext) => Promise<ResultOf<M>>
}
