/**
 * The native folder picker behind `coralHost.pickDirectory()`.
 *
 * The handler answers only the app's own top-level frame and takes no arguments; anything
 * else is dropped (answered with null) and logged, so a foreign page learns nothing.
 */
import type { Dialog, IpcMain, IpcMainInvokeEvent } from 'electron'

import { PICK_DIRECTORY_CHANNEL } from '../shared/channels.js'
import { isTrustedSender } from './app-url.js'
import type { Logger } from './log.js'
import type { BrowserWindowClass } from './windows.js'

/** What `setupDialogs` needs. */
export interface DialogsDeps {
  ipcMain: Pick<IpcMain, 'handle'>
  dialog: Pick<Dialog, 'showOpenDialog'>
  BrowserWindow: Pick<BrowserWindowClass, 'fromWebContents'>
  devServerUrl?: string
  log: Logger
}

/** Registers `coral:pick-directory`. */
export function setupDialogs(deps: DialogsDeps): void {
  deps.ipcMain.handle(
    PICK_DIRECTORY_CHANNEL,
    async (event: IpcMainInvokeEvent, ...args: unknown[]): Promise<string | null> => {
      // Validate the sender and the arguments
      if (!isTrustedSender(event, deps.devServerUrl)) {
        deps.log.warn(
          `dropped ${PICK_DIRECTORY_CHANNEL} from ${event.senderFrame?.url ?? 'a gone frame'}`,
        )
        return null
      }
      if (args.length > 0) {
        deps.log.warn(`dropped ${PICK_DIRECTORY_CHANNEL} with unexpected arguments`)
        return null
      }

      // Ask, attached to the sender's window so the dialog is modal on macOS
      const options = {
        title: 'Open repository',
        buttonLabel: 'Open',
        properties: ['openDirectory' as const, 'createDirectory' as const],
      }
      const parent = deps.BrowserWindow.fromWebContents(event.sender)
      const result = parent
        ? await deps.dialog.showOpenDialog(parent, options)
        : await deps.dialog.showOpenDialog(options)
      return result.canceled ? null : (result.filePaths[0] ?? null)
    },
  )
}
