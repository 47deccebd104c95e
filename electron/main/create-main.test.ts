import { describe, expect, it } from 'vitest'

import { createMain } from './create-main.js'
import { APP_FRAME, createFakeMainDeps, ipcEvent } from './testing/fake-electron.js'

describe('electron/main/create-main', () => {
  it('registers the app scheme before ready and creates nothing until then', () => {
    const fakes = createFakeMainDeps()

    createMain(fakes.deps)

    expect(fakes.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ])
    expect(fakes.windows).toHaveLength(0)
    expect(fakes.children).toHaveLength(0)
  })

  it('on ready serves the protocol, sets the menu, starts the core and opens a window', async () => {
    const fakes = createFakeMainDeps()
    const main = createMain(fakes.deps)

    fakes.app.ready()
    await main.ready

    expect(fakes.protocol.handle.mock.calls[0]?.[0]).toBe('app')
    expect(fakes.Menu.setApplicationMenu).toHaveBeenCalledTimes(1)
    expect(fakes.children).toHaveLength(1)
    expect(fakes.windows).toHaveLength(1)
    expect(fakes.windows[0]!.loaded).toEqual(['app://coral/index.html'])
  })

  it('hands a core port to the app page and drops requests from foreign frames', async () => {
    const fakes = createFakeMainDeps()
    const main = createMain(fakes.deps)
    fakes.app.ready()
    await main.ready
    const contents = fakes.windows[0]!.webContents

    fakes.ipcMain.send(
      'coral:request-core-port',
      ipcEvent(contents, { url: 'https://evil.example/', parent: null }),
    )
    fakes.ipcMain.send('coral:request-core-port', ipcEvent(contents, null))
    expect(contents.posted).toHaveLength(0)
    fakes.ipcMain.send('coral:request-core-port', ipcEvent(contents, APP_FRAME))

    expect(contents.posted.map((p) => p.channel)).toEqual(['coral:core-port'])
    expect(fakes.children[0]!.messages).toHaveLength(1)
  })

  it('holds the quit until the core has stopped, then quits', async () => {
    const fakes = createFakeMainDeps()
    const main = createMain(fakes.deps)
    fakes.app.ready()
    await main.ready
    const child = fakes.children[0]!

    fakes.app.quit()
    expect(fakes.app.quitted).toBe(false)
    expect(child.messages.at(-1)?.message).toEqual({ type: 'coral:shutdown' })
    await new Promise((resolve) => setTimeout(resolve, 0))

    expect(fakes.app.quitCalls).toBe(2)
    expect(fakes.app.quitted).toBe(true)
    expect(fakes.children).toHaveLength(1)
  })

  it('quits when the last window closes, except on macOS', () => {
    const linux = createFakeMainDeps()
    const mac = createFakeMainDeps({ platform: 'darwin' })
    createMain(linux.deps)
    createMain(mac.deps)

    linux.app.emit('window-all-closed')
    mac.app.emit('window-all-closed')

    expect(linux.app.quitCalls).toBe(1)
    expect(mac.app.quitCalls).toBe(0)
  })
})
