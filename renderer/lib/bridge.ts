/**
 * The renderer's only way to reach the core.
 *
 * Two implementations exist: one over the Electron preload's MessagePort
 * (`electron-bridge.ts`) and one over HTTP + Server-Sent Events to
 * `coral-ml ui` (`web-bridge.ts`). Tests use a fake. Components never call
 * a bridge directly: store actions do.
 */
import type { CoreMethod, ParamsOf, Progress, ResultOf } from '../../core/api/contract'

/** A request in flight: its result, and a way to cancel it. */
export interface PendingRequest<T> {
  readonly result: Promise<T>
  /** Asks the core to stop; the result then rejects with code `Cancelled`. */
  cancel(): void
}

/** What the host offers beyond the core (native dialogs in Electron). */
export interface HostApi {
  readonly kind: 'electron' | 'browser'
  /** Opens a native folder picker; null when cancelled or unavailable. */
  pickDirectory(): Promise<string | null>
}

export interface Bridge {
  readonly host: HostApi
  /**
   * Sends one request to the core.
   *
   * `onProgress` receives the core's progress events for this request.
   * A failed request rejects with a revived `CoralError` (check `err.code`).
   */
  request<M extends CoreMethod>(
    method: M,
    params: ParamsOf<M>,
    onProgress?: (progress: Progress) => void,
  ): PendingRequest<ResultOf<M>>
  /** Called when the connection to the core is lost and when it comes back. */
  onConnectionChange(listener: (connected: boolean, reason?: string) => void): () => void
}
