/**
 * The app's own origin and the check every main-side handler uses to trust a sender.
 *
 * In a packaged or built app the renderer is served from the privileged custom scheme
 * `app://coral/` (see `app-protocol.ts`), never from `file://`, whose origin every local file
 * shares. In development it comes from the electron-vite dev server, whose URL main reads from
 * `ELECTRON_RENDERER_URL`.
 */

/** The custom scheme the renderer is served from. */
export const APP_SCHEME = 'app'

/** The host part of every app URL. */
export const APP_HOST = 'coral'

/** The URL the main window loads in a built app. */
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/**
 * True when `url` belongs to the app itself.
 *
 * `devServerUrl` (the electron-vite dev server, e.g. `http://localhost:5173/`) is trusted only
 * when given, i.e. only in development. Anything unparsable is foreign.
 */
export function isAppUrl(url: string, devServerUrl?: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  // NOTE: WHATWG URL gives non-special schemes an opaque origin ('null'), so compare parts.
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST) {
    return true
  }
  if (devServerUrl !== undefined && devServerUrl !== '') {
    try {
      return parsed.origin === new URL(devServerUrl).origin
    } catch {
      return false
    }
  }
  return false
}

/** The fields of an IPC event the sender check reads (`IpcMainEvent`/`IpcMainInvokeEvent`). */
export interface SenderEvent {
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null
}

/**
 * True when an IPC message comes from the app's own top-level frame.
 *
 * A message from a subframe, from a page that navigated elsewhere, or from a frame that is
 * already gone (`senderFrame` null) is not trusted.
 */
export function isTrustedSender(event: SenderEvent, devServerUrl?: string): boolean {
  const frame = event.senderFrame
  if (frame === null || frame.parent !== null) {
    return false
  }
  return isAppUrl(frame.url, devServerUrl)
}
