/**
 * Creates the main window and locks down what its web contents may do.
 *
 * Every window: denies `window.open` (https links go to the system browser instead), refuses
 * navigation and redirects away from the app's own URL, refuses `<webview>`, and sends the CSP
 * header. Main never loads remote content.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, Shell, WebContents } from 'electron'

import { APP_ENTRY_URL, isAppUrl } from './app-url.js'
import type { Logger } from './log.js'
import { createWindowOptions, developmentCsp, PRODUCTION_CSP } from './window-options.js'

/** The `BrowserWindow` class, reduced to what main uses. */
export interface BrowserWindowClass {
  new (options: BrowserWindowConstructorOptions): BrowserWindow
  getAllWindows(): BrowserWindow[]
  fromWebContents(webContents: WebContents): BrowserWindow | null
}

/** What `setupWindows` needs. */
export interface WindowsDeps {
  BrowserWindow: BrowserWindowClass
  shell: Pick<Shell, 'openExternal'>
  /** Absolute path of `out/preload/index.cjs`. */
  preloadPath: string
  version: string
  /** The electron-vite dev server URL in development; undefined in a built app. */
  devServerUrl?: string
  /** Called when a window's web contents are destroyed (closed or crashed for good). */
  onWebContentsGone?: (webContents: WebContents) => void
  log: Logger
}

/** The window factory `setupWindows` returns. */
export interface Windows {
  createMainWindow(): BrowserWindow
}

/** Prepares window creation; windows are created with `createMainWindow()` once `app` is ready. */
export function setupWindows(deps: WindowsDeps): Windows {
  return {
    createMainWindow() {
      const win = new deps.BrowserWindow(
        createWindowOptions({ preloadPath: deps.preloadPath, version: deps.version }),
      )
      const contents = win.webContents
      guardWebContents(contents, deps)
      win.once('ready-to-show', () => win.show())
      contents.once('destroyed', () => deps.onWebContentsGone?.(contents))
      void win.loadURL(deps.devServerUrl ?? APP_ENTRY_URL).catch((error: unknown) => {
        deps.log.error('the renderer failed to load', error)
      })
      return win
    },
  }
}

/** Applies the navigation, new-window, webview and CSP rules to one web contents. */
export function guardWebContents(
  contents: WebContents,
  deps: Pick<WindowsDeps, 'shell' | 'devServerUrl' | 'log'>,
): void {
  // New windows: never inside the app; https links open in the person's browser.
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) {
      void deps.shell.openExternal(url).catch((error: unknown) => {
        deps.log.warn(`could not open ${url} externally`, error)
      })
    } else {
      deps.log.warn(`refused to open a window for ${url}`)
    }
    return { action: 'deny' }
  })

  // Navigation and redirects: only within the app itself.
  const refuseForeign = (event: { url: string; preventDefault(): void }): void => {
    if (!isAppUrl(event.url, deps.devServerUrl)) {
      event.preventDefault()
      deps.log.warn(`refused navigation to ${event.url}`)
    }
  }
  contents.on('will-navigate', refuseForeign)
  contents.on('will-redirect', refuseForeign)
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
    deps.log.warn('refused to attach a <webview>')
  })

  // CSP on every response (the app: protocol adds it too; this covers the dev server).
  const csp = deps.devServerUrl ? developmentCsp(deps.devServerUrl) : PRODUCTION_CSP
  contents.session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] },
    })
  })
}
