/**
 * Electron main entry: the only main-process file that imports `electron`.
 *
 * It resolves the built files next to itself and hands the real Electron objects to
 * `createMain`; all logic lives there and is tested with fakes. Type-checked only.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  net,
  protocol,
  shell,
  utilityProcess,
} from 'electron'

import { createMain } from './create-main.js'

const here = path.dirname(fileURLToPath(import.meta.url))

createMain({
  app,
  BrowserWindow,
  ipcMain,
  utilityProcess,
  MessageChannelMain,
  dialog,
  Menu,
  shell,
  protocol,
  net,
  platform: process.platform,
  paths: {
    preload: path.join(here, '../preload/index.cjs'),
    utility: path.join(here, 'core-utility.js'),
    rendererDir: path.join(here, '../renderer'),
  },
  ...(process.env['ELECTRON_RENDERER_URL'] && !app.isPackaged
    ? { devServerUrl: process.env['ELECTRON_RENDERER_URL'] }
    : {}),
})
