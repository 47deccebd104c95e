import { describe, expect, it, vi } from 'vitest'

import { silentLogger } from './log.js'
import { createFakeBrowserWindowClass } from './testing/fake-electron.js'
import { setupWindows, type BrowserWindowClass } from './windows.js'

function setup(devServerUrl?: string) {
  const { BrowserWindow, windows } = createFakeBrowserWindowClass()
  const shell = { openExternal: vi.fn(async () => {}) }
  const gone = vi.fn()
  const factory = setupWindows({
    BrowserWindow: BrowserWindow as unknown as BrowserWindowClass,
    shell,
    preloadPath: '/app/out/preload/index.cjs',
    version: '0.1.0',
    ...(devServerUrl ? { devServerUrl } : {}),
    onWebContentsGone: gone,
    log: silentLogger,
  })
  factory.createMainWindow()
  const win = windows[0]!
  return { win, contents: win.webContents, shell, gone }
}

describe('electron/main/windows', () => {
  it('creates a sandboxed window with the preload and loads the app URL', () => {
    const { win } = setup()

    expect(win.options.webPreferences?.sandbox).toBe(true)
    expect(win.options.webPreferences?.contextIsolation).toBe(true)
    expect(win.options.webPreferences?.preload).toBe('/app/out/preload/index.cjs')
    expect(win.loaded).toEqual(['app://coral/index.html'])
  })

  it('loads the dev server in development', () => {
    const { win } = setup('http://localhost:5173/')

    expect(win.loaded).toEqual(['http://localhost:5173/'])
  })

  it('denies every new window and sends only https links to the browser', () => {
    const { contents, shell } = setup()

    const https = contents.windowOpenHandler!({ url: 'https://example.com/docs' })
    const file = contents.windowOpenHandler!({ url: 'file:///etc/passwd' })
    const app = contents.windowOpenHandler!({ url: 'app://coral/index.html' })

    expect([https, file, app]).toEqual([{ action: 'deny' }, { action: 'deny' }, { action: 'deny' }])
    expect(shell.openExternal).toHaveBeenCalledTimes(1)
    expect(shell.openExternal).toHaveBeenCalledWith('https://example.com/docs')
  })

  it('refuses navigation and redirects away from the app', () => {
    const { contents } = setup()

    expect(contents.navigate('https://example.com/')).toBe(true)
    expect(contents.navigate('file:///tmp/evil.html')).toBe(true)
    expect(contents.navigate('https://example.com/', 'will-redirect')).toBe(true)
    expect(contents.navigate('app://coral/index.html')).toBe(false)
  })

  it('refuses webviews', () => {
    const { contents } = setup()
    let prevented = false

    contents.emit('will-attach-webview', { preventDefault: () => (prevented = true) })

    expect(prevented).toBe(true)
  })

  it('adds the CSP header to responses', () => {
    const { contents } = setup()
    let headers: Record<string, string[]> | undefined

    contents.headersListener!(
      { responseHeaders: { 'X-Other': ['1'] } },
      (r) => (headers = r.responseHeaders),
    )

    expect(headers?.['X-Other']).toEqual(['1'])
    expect(headers?.['Content-Security-Policy']?.[0]).toContain("script-src 'self';")
  })

  it('shows the window when ready and reports its contents gone', () => {
    const { win, contents, gone } = setup()

    win.emit('ready-to-show')
    contents.destroy()

    expect(win.shown).toBe(true)
    expect(gone).toHaveBeenCalledWith(contents)
  })
})
