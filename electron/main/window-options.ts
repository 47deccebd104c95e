/**
 * The main window's construction options and the renderer's Content-Security-Policy.
 *
 * The security settings are Electron's defaults since 12/20, set explicitly so a unit test
 * can hold them in place: an isolated, sandboxed renderer without Node, whose only privileged
 * code is the CommonJS preload.
 */
import type { BrowserWindowConstructorOptions } from 'electron'

import { VERSION_ARGUMENT_PREFIX } from '../shared/channels.js'

/** Inputs of `createWindowOptions`. */
export interface WindowOptionsInput {
  /** Absolute path of the built preload, `out/preload/index.cjs`. */
  preloadPath: string
  /** App version passed to the preload, which cannot call `app.getVersion()` from the sandbox. */
  version: string
}

/** Options for `new BrowserWindow(...)` of the main window. */
export function createWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Coral Desktop',
    // Shown on 'ready-to-show' so the person never sees an empty white frame.
    show: false,
    backgroundColor: '#0f172a',
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      preload: input.preloadPath,
      additionalArguments: [`${VERSION_ARGUMENT_PREFIX}${input.version}`],
    },
  }
}

/**
 * The production Content-Security-Policy.
 *
 * No `'wasm-unsafe-eval'`: WASM (h5wasm, zstd) runs in the core's utility process, never in the
 * renderer. `'unsafe-inline'` styles are needed by recharts and React's `style` props.
 */
export const PRODUCTION_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * The development Content-Security-Policy for the electron-vite dev server.
 *
 * Vite's client needs a WebSocket back to the server and the React-refresh preamble is an
 * inline script, so development adds the server's origin, `ws:` and `'unsafe-inline'` scripts.
 */
export function developmentCsp(devServerUrl: string): string {
  const origin = new URL(devServerUrl).origin
  const socket = origin.replace(/^http/, 'ws')
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline' ${origin}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${origin} ${socket}`,
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ')
}
