/**
 * Electron main, written against the few Electron objects it uses so it runs under test.
 *
 * `index.ts` passes the real `electron` exports; tests pass fakes. Main is a list of
 * `setupX()` calls, one per feature: the app protocol, windows, menus, dialogs, and the core
 * host with its port hand-out.
 */
import type { App, Dialog, IpcMain, Menu, Net, Protocol, Shell } from 'electron'

import { REQUEST_CORE_PORT_CHANNEL } from '../shared/channels.js'
import { APP_SCHEME_PRIVILEGES, setupAppProtocol } from './app-protocol.js'
import { isTrustedSender } from './app-url.js'
import { createCoreHost, type CoreHost, type CoreHostOptions } from './core-host.js'
import { setupDialogs } from './dialogs.js'
import { createConsoleLogger, type Logger } from './log.js'
import { setupMenus } from './menus.js'
import { setupWindows, type BrowserWindowClass, type Windows } from './windows.js'

/** Files main needs, resolved by `index.ts` relative to the built `out/main/index.js`. */
export interface MainPaths {
  /** `out/preload/index.cjs`. */
  preload: string
  /** The utility-process entry, `out/main/core-utility.js`. */
  utility: string
  /** The built renderer folder, `out/renderer`. */
  rendererDir: string
}

/** Every Electron object and setting main uses. */
export interface MainDeps {
  app: Pick<App, 'whenReady' | 'on' | 'quit' | 'getVersion' | 'isPackaged'>
  BrowserWindow: BrowserWindowClass
  ipcMain: Pick<IpcMain, 'handle' | 'on'>
  utilityProcess: CoreHostOptions['utilityProcess']
  MessageChannelMain: CoreHostOptions['MessageChannelMain']
  dialog: Pick<Dialog, 'showOpenDialog'>
  Menu: Pick<typeof Menu, 'buildFromTemplate' | 'setApplicationMenu'>
  shell: Pick<Shell, 'openExternal'>
  protocol: Pick<Protocol, 'handle' | 'registerSchemesAsPrivileged'>
  net: Pick<Net, 'fetch'>
  paths: MainPaths
  /** `process.platform`. */
  platform: string
  /** The electron-vite dev server URL (`ELECTRON_RENDERER_URL`) in development only. */
  devServerUrl?: string
  /** Restart and shutdown tuning of the core host. */
  coreHost?: Pick<
    CoreHostOptions,
    'maxRestarts' | 'restartWindowMs' | 'restartDelayMs' | 'shutdownTimeoutMs' | 'now'
  >
  log?: Logger
}

/** Handles for tests and for `index.ts`. */
export interface MainApp {
  coreHost: CoreHost
  windows: Windows
  /** Settles once the first window was created. */
  ready: Promise<void>
}

/** Wires main; call once, synchronously at startup (scheme registration must precede ready). */
export function createMain(deps: MainDeps): MainApp {
  const log = deps.log ?? createConsoleLogger('main')
  const devServerUrl = deps.devServerUrl || undefined

  // Before ready: the app: scheme must be privileged before any window exists
  deps.protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])

  // The core host and the port hand-out
  const coreHost = createCoreHost({
    ...deps.coreHost,
    utilityProcess: deps.utilityProcess,
    MessageChannelMain: deps.MessageChannelMain,
    workerPath: deps.paths.utility,
    log,
  })
  deps.ipcMain.on(REQUEST_CORE_PORT_CHANNEL, (event) => {
    if (!isTrustedSender(event, devServerUrl)) {
      log.warn(
        `dropped ${REQUEST_CORE_PORT_CHANNEL} from ${event.senderFrame?.url ?? 'a gone frame'}`,
      )
      return
    }
    coreHost.connect(event.sender)
  })

  // Windows and dialogs
  const windows = setupWindows({
    BrowserWindow: deps.BrowserWindow,
    shell: deps.shell,
    preloadPath: deps.paths.preload,
    version: deps.app.getVersion(),
    ...(devServerUrl === undefined ? {} : { devServerUrl }),
    onWebContentsGone: (contents) => coreHost.disconnect(contents.id),
    log,
  })
  setupDialogs({
    ipcMain: deps.ipcMain,
    dialog: deps.dialog,
    BrowserWindow: deps.BrowserWindow,
    ...(devServerUrl === undefined ? {} : { devServerUrl }),
    log,
  })

  // Lifecycle: quit when the last window closes (except on macOS)
  deps.app.on('window-all-closed', () => {
    if (deps.platform !== 'darwin') {
      deps.app.quit()
    }
  })
  deps.app.on('activate', () => {
    if (deps.BrowserWindow.getAllWindows().length === 0) {
      windows.createMainWindow()
    }
  })

  // Quit: hold the quit until the core has exited (bounded), then quit for real
  let quitPhase: 'running' | 'stopping-core' | 'done' = 'running'
  deps.app.on('before-quit', (event) => {
    if (quitPhase === 'done') {
      return
    }
    event.preventDefault()
    if (quitPhase === 'stopping-core') {
      return
    }
    quitPhase = 'stopping-core'
    void coreHost
      .stop()
      .then((outcome) => log.info(`core stopped: ${outcome}`))
      .catch((error: unknown) => log.error('stopping the core failed', error))
      .finally(() => {
        quitPhase = 'done'
        deps.app.quit()
      })
  })

  // Ready: protocol, menu, core, first window
  const ready = deps.app.whenReady().then(() => {
    setupAppProtocol(deps, deps.paths.rendererDir)
    setupMenus(deps.Menu, { isMac: deps.platform === 'darwin', isPackaged: deps.app.isPackaged })
    coreHost.start()
    windows.createMainWindow()
  })

  return { coreHost, windows, ready }
}
