import { describe, expect, it } from 'vitest'

import { isAppUrl, isTrustedSender } from './app-url.js'

describe('electron/main/app-url', () => {
  it('accepts the app scheme and host only', () => {
    expect(isAppUrl('app://coral/index.html')).toBe(true)
    expect(isAppUrl('app://coral/assets/x.js?v=1#y')).toBe(true)
    expect(isAppUrl('app://evil/index.html')).toBe(false)
    expect(isAppUrl('file:///work/out/renderer/index.html')).toBe(false)
    expect(isAppUrl('https://example.com/')).toBe(false)
    expect(isAppUrl('not a url')).toBe(false)
  })

  it('trusts the dev server origin only when one is configured', () => {
    expect(isAppUrl('http://localhost:5173/', 'http://localhost:5173/')).toBe(true)
    expect(isAppUrl('http://localhost:5174/', 'http://localhost:5173/')).toBe(false)
    expect(isAppUrl('http://localhost:5173/')).toBe(false)
  })

  it('trusts only the app top-level frame', () => {
    const top = { url: 'app://coral/index.html', parent: null }

    expect(isTrustedSender({ senderFrame: top })).toBe(true)
    expect(isTrustedSender({ senderFrame: { url: 'app://coral/x.html', parent: top } })).toBe(false)
    expect(isTrustedSender({ senderFrame: { url: 'https://example.com/', parent: null } })).toBe(
      false,
    )
    expect(isTrustedSender({ senderFrame: null })).toBe(false)
  })
})
