import { describe, expect, it, vi } from 'vitest'

import { PICK_DIRECTORY_CHANNEL } from '../shared/channels.js'
import { setupDialogs } from './dialogs.js'
import { silentLogger } from './log.js'
import {
  APP_FRAME,
  createFakeBrowserWindowClass,
  FakeIpcMain,
  FakeWebContents,
  ipcEvent,
} from './testing/fake-electron.js'

function setup(result = { canceled: false, filePaths: ['/home/me/repo'] }) {
  const ipcMain = new FakeIpcMain()
  const dialog = { showOpenDialog: vi.fn(async () => result) }
  const { BrowserWindow } = createFakeBrowserWindowClass()
  setupDialogs({ ipcMain, dialog, BrowserWindow, log: silentLogger } as never)
  return { ipcMain, dialog }
}

describe('electron/main/dialogs', () => {
  it('opens a folder picker for the app and returns the folder', async () => {
    const { ipcMain, dialog } = setup()

    const picked = await ipcMain.invoke(
      PICK_DIRECTORY_CHANNEL,
      ipcEvent(new FakeWebContents(), APP_FRAME),
    )

    expect(picked).toBe('/home/me/repo')
    expect(dialog.showOpenDialog).toHaveBeenCalledTimes(1)
    expect(JSON.stringify(dialog.showOpenDialog.mock.calls[0])).toContain('openDirectory')
  })

  it('returns null when the person cancels', async () => {
    const { ipcMain } = setup({ canceled: true, filePaths: [] })

    expect(
      await ipcMain.invoke(PICK_DIRECTORY_CHANNEL, ipcEvent(new FakeWebContents(), APP_FRAME)),
    ).toBeNull()
  })

  it('drops requests from foreign pages, subframes and gone frames', async () => {
    const { ipcMain, dialog } = setup()
    const contents = new FakeWebContents()

    const answers = await Promise.all([
      ipcMain.invoke(
        PICK_DIRECTORY_CHANNEL,
        ipcEvent(contents, { url: 'https://evil.example/', parent: null }),
      ),
      ipcMain.invoke(
        PICK_DIRECTORY_CHANNEL,
        ipcEvent(contents, { url: 'app://coral/x', parent: APP_FRAME }),
      ),
      ipcMain.invoke(
        PICK_DIRECTORY_CHANNEL,
        ipcEvent(contents, { url: 'file:///x.html', parent: null }),
      ),
      ipcMain.invoke(PICK_DIRECTORY_CHANNEL, ipcEvent(contents, null)),
    ])

    expect(answers).toEqual([null, null, null, null])
    expect(dialog.showOpenDialog).not.toHaveBeenCalled()
  })

  it('drops requests with arguments', async () => {
    const { ipcMain, dialog } = setup()

    const picked = await ipcMain.invoke(
      PICK_DIRECTORY_CHANNEL,
      ipcEvent(new FakeWebContents(), APP_FRAME),
      { defaultPath: '/etc' },
    )

    expect(picked).toBeNull()
    expect(dialog.showOpenDialog).not.toHaveBeenCalled()
  })
})
