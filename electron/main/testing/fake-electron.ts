/**
 * Test doubles of the Electron objects main uses.
 *
 * Each records what main did with it and lets a test play Electron's side (emit events,
 * invoke IPC, make the utility process exit). Casts to Electron's types live here only.
 */
import { EventEmitter } from 'node:events'

import type { BrowserWindowConstructorOptions } from 'electron'
import { vi } from 'vitest'

import type { MainDeps } from '../create-main.js'
import { silentLogger } from '../log.js'

let nextWebContentsId = 1

/** A fake frame as seen in `event.senderFrame`. */
export interface FakeFrame {
  url: string
  parent: FakeFrame | null
}

/** A fake `WebContents`. */
export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++
  destroyed = false
  readonly sent: Array<{ channel: string; args: unknown[] }> = []
  readonly posted: Array<{ channel: string; message: unknown; transfer: unknown[] }> = []
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined
  headersListener:
    | ((
        details: { responseHeaders?: Record<string, string[]> },
        callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
      ) => void)
    | undefined
  readonly session = {
    webRequest: {
      onHeadersReceived: (listener: NonNullable<FakeWebContents['headersListener']>) => {
        this.headersListener = listener
      },
    },
  }

  isDestroyed(): boolean {
    return this.destroyed
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args })
  }
  postMessage(channel: string, message: unknown, transfer: unknown[] = []): void {
    this.posted.push({ channel, message, transfer })
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler
  }
  /** Emits `will-navigate` (or another navigation event) and reports whether main prevented it. */
  navigate(url: string, event = 'will-navigate'): boolean {
    let prevented = false
    this.emit(event, { url, preventDefault: () => (prevented = true) })
    return prevented
  }
  destroy(): void {
    this.destroyed = true
    this.emit('destroyed')
  }
}

/** A fake `BrowserWindow` class with a registry of created windows. */
export function createFakeBrowserWindowClass() {
  const windows: FakeBrowserWindow[] = []
  class FakeBrowserWindow extends EventEmitter {
    readonly webContents = new FakeWebContents()
    readonly loaded: string[] = []
    shown = false
    constructor(readonly options: BrowserWindowConstructorOptions) {
      super()
      windows.push(this)
    }
    loadURL(url: string): Promise<void> {
      this.loaded.push(url)
      return Promise.resolve()
    }
    show(): void {
      this.shown = true
    }
    static getAllWindows(): FakeBrowserWindow[] {
      return windows.filter((w) => !w.webContents.destroyed)
    }
    static fromWebContents(contents: unknown): FakeBrowserWindow | null {
      return windows.find((w) => w.webContents === contents) ?? null
    }
  }
  return { BrowserWindow: FakeBrowserWindow, windows }
}

/** A fake IPC event from `frame` of `sender`. */
export function ipcEvent(sender: FakeWebContents, frame: FakeFrame | null) {
  return { sender, senderFrame: frame }
}

/** A fake `ipcMain` whose handlers a test can call. */
export class FakeIpcMain {
  readonly handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>()
  readonly listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>()
  handle(channel: string, handler: (event: unknown, ...args: unknown[]) => unknown): void {
    this.handlers.set(channel, handler)
  }
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): this {
    this.listeners.set(channel, listener)
    return this
  }
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (!handler) {
      throw new Error(`no handler for ${channel}`)
    }
    return handler(event, ...args)
  }
  send(channel: string, event: unknown, ...args: unknown[]): void {
    this.listeners.get(channel)?.(event, ...args)
  }
}

/** A fake utility process; `exit(code)` plays a crash or a clean exit. */
export class FakeUtilityProcess extends EventEmitter {
  static nextPid = 1000
  pid: number | undefined = FakeUtilityProcess.nextPid++
  readonly stdout = null
  readonly stderr = null
  readonly messages: Array<{ message: unknown; transfer: unknown[] }> = []
  killed = false
  /** When true, a `coral:shutdown` message makes it exit with code 0 (asynchronously). */
  exitsOnShutdown = true

  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: unknown,
  ) {
    super()
  }
  postMessage(message: unknown, transfer: unknown[] = []): void {
    this.messages.push({ message, transfer })
    if ((message as { type?: string }).type === 'coral:shutdown' && this.exitsOnShutdown) {
      queueMicrotask(() => this.exit(0))
    }
  }
  kill(): boolean {
    this.killed = true
    queueMicrotask(() => this.exit(-1))
    return true
  }
  exit(code: number): void {
    if (this.pid === undefined) {
      return
    }
    this.pid = undefined
    this.emit('exit', code)
  }
}

/** A fake `utilityProcess` module that keeps every forked child. */
export function createFakeUtilityProcess() {
  const children: FakeUtilityProcess[] = []
  const module = {
    fork: vi.fn((modulePath: string, args: string[] = [], options?: unknown) => {
      const child = new FakeUtilityProcess(modulePath, args, options)
      children.push(child)
      return child
    }),
  }
  return { utilityProcess: module, children }
}

let nextPortId = 1

/** A fake `MessageChannelMain`; its ports are labelled so tests can follow them. */
export class FakeMessageChannelMain {
  readonly port1 = { id: nextPortId, end: 'port1' as const }
  readonly port2 = { id: nextPortId++, end: 'port2' as const }
}

/** A fake `app`: `ready()` resolves `whenReady`, `quit()` runs the before-quit protocol. */
export class FakeApp extends EventEmitter {
  isPackaged = false
  quitCalls = 0
  quitted = false
  private resolveReady!: () => void
  private readonly readyPromise = new Promise<void>((resolve) => (this.resolveReady = resolve))

  whenReady(): Promise<void> {
    return this.readyPromise
  }
  ready(): void {
    this.resolveReady()
  }
  getVersion(): string {
    return '0.1.0'
  }
  quit(): void {
    this.quitCalls++
    let prevented = false
    this.emit('before-quit', { preventDefault: () => (prevented = true) })
    if (!prevented) {
      this.quitted = true
    }
  }
}

/** Everything `createMain` needs, faked, plus handles on the fakes. */
export function createFakeMainDeps(overrides: Partial<MainDeps> = {}) {
  const app = new FakeApp()
  const { BrowserWindow, windows } = createFakeBrowserWindowClass()
  const ipcMain = new FakeIpcMain()
  const { utilityProcess, children } = createFakeUtilityProcess()
  const dialog = { showOpenDialog: vi.fn(async () => ({ canceled: false, filePaths: ['/repo'] })) }
  const Menu = {
    buildFromTemplate: vi.fn((template: unknown) => ({ template })),
    setApplicationMenu: vi.fn(),
  }
  const shell = { openExternal: vi.fn(async () => {}) }
  const protocol = { handle: vi.fn(), registerSchemesAsPrivileged: vi.fn() }
  const net = { fetch: vi.fn(async () => new Response('<html></html>')) }
  const deps = {
    app,
    BrowserWindow,
    ipcMain,
    utilityProcess,
    MessageChannelMain: FakeMessageChannelMain,
    dialog,
    Menu,
    shell,
    protocol,
    net,
    platform: 'linux',
    paths: {
      preload: '/app/out/preload/index.cjs',
      utility: '/app/out/main/core-utility.js',
      rendererDir: '/app/out/renderer',
    },
    log: silentLogger,
    ...overrides,
  } as unknown as MainDeps
  return {
    deps,
    app,
    windows,
    ipcMain,
    children,
    utilityProcess,
    dialog,
    Menu,
    shell,
    protocol,
    net,
  }
}

/** The app's own top-level frame. */
export const APP_FRAME: FakeFrame = { url: 'app://coral/index.html', parent: null }
