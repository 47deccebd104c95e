import { describe, expect, it } from 'vitest'

import { createWindowOptions, developmentCsp, PRODUCTION_CSP } from './window-options.js'

describe('electron/main/window-options', () => {
  const options = createWindowOptions({
    preloadPath: '/app/out/preload/index.cjs',
    version: '1.2.3',
  })

  it('isolates and sandboxes the renderer without Node', () => {
    const prefs = options.webPreferences

    expect(prefs?.contextIsolation).toBe(true)
    expect(prefs?.sandbox).toBe(true)
    expect(prefs?.nodeIntegration).toBe(false)
    expect(prefs?.nodeIntegrationInWorker).toBe(false)
    expect(prefs?.webSecurity).toBe(true)
    expect(prefs?.webviewTag).toBe(false)
    expect(prefs?.allowRunningInsecureContent).toBe(false)
  })

  it('loads the CommonJS preload and passes it the version', () => {
    expect(options.webPreferences?.preload).toBe('/app/out/preload/index.cjs')
    expect(options.webPreferences?.additionalArguments).toEqual(['--coral-app-version=1.2.3'])
    expect(options.show).toBe(false)
  })

  it('keeps eval, remote scripts and WASM out of the production renderer', () => {
    expect(PRODUCTION_CSP).toContain("script-src 'self';")
    expect(PRODUCTION_CSP).toContain("connect-src 'self';")
    expect(PRODUCTION_CSP).toContain("object-src 'none'")
    expect(PRODUCTION_CSP).not.toContain('unsafe-eval')
    expect(PRODUCTION_CSP).not.toMatch(/https?:/)
  })

  it('lets the dev server in only in the development policy', () => {
    const csp = developmentCsp('http://localhost:5173/')

    expect(csp).toContain("connect-src 'self' http://localhost:5173 ws://localhost:5173")
    expect(csp).not.toContain('unsafe-eval')
  })
})
