/**
 * The preload's logic, separated from the `electron` import so it runs under test.
 *
 * Exposes `window.coralHost` (kind, version, `pickDirectory`, `requestCorePort`) through
 * `contextBridge` and never exposes `ipcRenderer` itself. Core ports arriving from main are
 * forwarded to the page with `window.postMessage`, because a MessagePort cannot cross
 * `contextBridge`; the page checks `event.source === window`.
 */
import type { ContextBridge, IpcRenderer, IpcRendererEvent } from 'electron'

import {
  CORE_PORT_CHANNEL,
  CORE_RESTARTED_CHANNEL,
  PICK_DIRECTORY_CHANNEL,
  REQUEST_CORE_PORT_CHANNEL,
  VERSION_ARGUMENT_PREFIX,
  type CoralHostApi,
  type CoreDownNotice,
  type HostWindowMessage,
} from '../shared/channels.js'

/** The part of the page's `window` the preload uses. */
export interface PreloadWindow {
  postMessage(message: HostWindowMessage, targetOrigin: string, transfer?: unknown[]): void
}

/** What `installPreload` needs. */
export interface PreloadDeps {
  contextBridge: Pick<ContextBridge, 'exposeInMainWorld'>
  ipcRenderer: Pick<IpcRenderer, 'invoke' | 'send' | 'on'>
  window: PreloadWindow
  /** `process.argv` of the renderer; main appends `--coral-app-version=<v>`. */
  argv: readonly string[]
}

/** Exposes `window.coralHost` and starts forwarding core ports; returns the exposed API. */
export function installPreload(deps: PreloadDeps): CoralHostApi {
  const versionArgument = deps.argv.find((arg) => arg.startsWith(VERSION_ARGUMENT_PREFIX))
  const version = versionArgument?.slice(VERSION_ARGUMENT_PREFIX.length) ?? 'unknown'

  const api: CoralHostApi = {
    kind: 'electron',
    version,
    async pickDirectory() {
      const picked: unknown = await deps.ipcRenderer.invoke(PICK_DIRECTORY_CHANNEL)
      return typeof picked === 'string' ? picked : null
    },
    requestCorePort() {
      deps.ipcRenderer.send(REQUEST_CORE_PORT_CHANNEL)
    },
  }
  deps.contextBridge.exposeInMainWorld('coralHost', api)

  // NOTE: '*' is the documented pattern; the message goes to this same window, and main
  // refuses any navigation away from the app, so no other origin can be listening.
  deps.ipcRenderer.on(CORE_PORT_CHANNEL, (event: IpcRendererEvent) => {
    deps.window.postMessage({ type: CORE_PORT_CHANNEL }, '*', event.ports)
  })
  deps.ipcRenderer.on(CORE_RESTARTED_CHANNEL, (_event: IpcRendererEvent, notice: unknown) => {
    const { reason, restarting } = readNotice(notice)
    deps.window.postMessage({ type: CORE_RESTARTED_CHANNEL, reason, restarting }, '*')
  })
  return api
}

function readNotice(notice: unknown): CoreDownNotice {
  const value = (notice ?? {}) as Partial<CoreDownNotice>
  return {
    reason: typeof value.reason === 'string' ? value.reason : 'The core process stopped.',
    restarting: value.restarting === true,
  }
}
