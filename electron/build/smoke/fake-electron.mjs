/**
 * Just enough of `electron` for the built main to boot under Node.
 *
 * Prints one `SMOKE {json}` line after the first window is created: the paths main resolved
 * and whether they exist, so the packaging check knows the bundle finds its own files.
 */
import { EventEmitter } from 'node:events'
import fs from 'node:fs'

const seen = { schemes: [], handled: [], listened: [], forked: null, preload: null, loaded: null }

class FakeApp extends EventEmitter {
  isPackaged = true
  getVersion() {
    return '0.0.0-smoke'
  }
  whenReady() {
    return Promise.resolve()
  }
  quit() {}
}
export const app = new FakeApp()

class FakeWebContents extends EventEmitter {
  id = 1
  session = { webRequest: { onHeadersReceived() {} } }
  setWindowOpenHandler() {}
  isDestroyed() {
    return false
  }
  send() {}
  postMessage() {}
}

export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super()
    this.webContents = new FakeWebContents()
    const preload = options.webPreferences.preload
    seen.preload = { path: preload, exists: fs.existsSync(preload) }
  }
  loadURL(url) {
    seen.loaded = url
    setImmediate(() => console.log(`SMOKE ${JSON.stringify(seen)}`))
    return Promise.resolve()
  }
  static getAllWindows() {
    return []
  }
  static fromWebContents() {
    return null
  }
}

export const ipcMain = {
  handle: (channel) => seen.handled.push(channel),
  on: (channel) => seen.listened.push(channel),
}
export const utilityProcess = {
  fork(modulePath, args, options) {
    seen.forked = { path: modulePath, exists: fs.existsSync(modulePath), options }
    const child = new EventEmitter()
    Object.assign(child, { postMessage() {}, kill() {}, stdout: null, stderr: null })
    return child
  },
}
export class MessageChannelMain {
  port1 = {}
  port2 = {}
}
export const dialog = {}
export const shell = {}
export const Menu = { buildFromTemplate: (template) => template, setApplicationMenu() {} }
export const protocol = {
  registerSchemesAsPrivileged: (schemes) => seen.schemes.push(...schemes.map((s) => s.scheme)),
  handle() {},
}
export const net = { fetch() {} }
