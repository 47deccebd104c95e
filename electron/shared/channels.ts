/**
 * Names and payloads of every message that crosses an Electron process boundary.
 *
 * Three hops exist:
 * - main -> preload (`webContents.send`/`postMessage`) and preload -> main (`ipcRenderer`);
 * - preload -> page (`window.postMessage`, because a MessagePort cannot cross `contextBridge`);
 * - main -> utility process (`utilityProcess.postMessage`).
 * The core's own requests and responses (`ToCore`/`FromCore` from `core/api/contract.ts`) never
 * pass through main: they travel on a MessagePort between the page and the utility process.
 * This file holds types and string constants only, so every process can import it.
 */

/** Main -> preload: carries one MessagePort (the renderer's end of a core connection). */
export const CORE_PORT_CHANNEL = 'coral:core-port'

/** Main -> preload: the core process died; payload `CoreDownNotice`. */
export const CORE_RESTARTED_CHANNEL = 'coral:core-restarted'

/** Preload -> main (`ipcRenderer.send`): the page wants a (fresh) core connection. */
export const REQUEST_CORE_PORT_CHANNEL = 'coral:request-core-port'

/** Preload -> main (`ipcRenderer.invoke`): open a native folder picker; resolves to a path or null. */
export const PICK_DIRECTORY_CHANNEL = 'coral:pick-directory'

/** Why the core connection went away, as sent to each window. */
export interface CoreDownNotice {
  /** One sentence for a banner, e.g. `The core process exited with code 134.` */
  reason: string
  /** True when main is starting a new core and a new port will follow; false when it gave up. */
  restarting: boolean
}

/** Preload -> page (`window.postMessage`): a new core port is in `event.ports[0]`. */
export interface CorePortWindowMessage {
  type: typeof CORE_PORT_CHANNEL
}

/** Preload -> page (`window.postMessage`): the core went down. */
export interface CoreRestartedWindowMessage extends CoreDownNotice {
  type: typeof CORE_RESTARTED_CHANNEL
}

/** Every message the preload posts to the page. */
export type HostWindowMessage = CorePortWindowMessage | CoreRestartedWindowMessage

/** Main -> utility process messages. */
export type ToUtility =
  /** Serve the core contract on `ports[0]` (one port per window connection). */
  | { type: 'coral:connect'; connectionId: number }
  /** The app is quitting: cancel running work, flush, and exit. Main kills after a timeout. */
  | { type: 'coral:shutdown' }

/** What the preload exposes to the page as `window.coralHost`. */
export interface CoralHostApi {
  readonly kind: 'electron'
  /** The app version from `app.getVersion()`, e.g. `0.1.0`. */
  readonly version: string
  /** Opens the native folder picker; null when the person cancels. */
  pickDirectory(): Promise<string | null>
  /** Asks main for a fresh core port; it arrives as a `CorePortWindowMessage`. */
  requestCorePort(): void
}

/** Command-line switch main passes to the renderer so the sandboxed preload learns the version. */
export const VERSION_ARGUMENT_PREFIX = '--coral-app-version='
