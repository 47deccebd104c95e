/**
 * Picks the bridge for the host the renderer runs in.
 *
 * Inside Electron the preload exposes `window.coralHost`; in a browser served
 * by `coral-ml ui` there is no such global and the core is reached over the
 * network. Each implementation is loaded lazily so neither ships code the
 * other host cannot run.
 */
import type { Bridge } from './bridge'

/** Connects to the core through the Electron preload or the `coral-ml ui` server. */
export async function createBridge(): Promise<Bridge> {
  return 'coralHost' in window
    ? (await import('./electron-bridge')).createElectronBridge()
    : (await import('./web-bridge')).createWebBridge(window.location)
}
