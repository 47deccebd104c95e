import path from 'node:path'

import { describe, expect, it, vi } from 'vitest'

import { resolveAppRequest, setupAppProtocol } from './app-protocol.js'

const root = path.resolve('/app/out/renderer')

describe('electron/main/app-protocol', () => {
  it('maps app URLs to files inside the renderer folder', () => {
    expect(resolveAppRequest(root, 'app://coral/')).toBe(path.join(root, 'index.html'))
    expect(resolveAppRequest(root, 'app://coral/assets/a.js?x=1')).toBe(
      path.join(root, 'assets/a.js'),
    )
  })

  it('refuses escapes, other hosts and NUL bytes', () => {
    // The URL parser removes (encoded) dot segments itself, so this stays inside the root.
    expect(resolveAppRequest(root, 'app://coral/%2e%2e/%2e%2e/etc/passwd')).toBe(
      path.join(root, 'etc/passwd'),
    )
    expect(resolveAppRequest(root, 'app://coral/assets/..%2f..%2f..%2fsecret')).toBeNull()
    expect(resolveAppRequest(root, 'app://coral/a%00.js')).toBeNull()
    expect(resolveAppRequest(root, 'app://other/index.html')).toBeNull()
    expect(resolveAppRequest(root, 'app://coral/%E0%A4%A')).toBeNull()
  })

  it('serves files with the CSP header and 404s refused paths', async () => {
    let handler: ((request: Request) => Promise<Response>) | undefined
    const protocol = { handle: vi.fn((_scheme: string, h: typeof handler) => (handler = h)) }
    const net = {
      fetch: vi.fn(
        async () => new Response('<html></html>', { headers: { 'content-type': 'text/html' } }),
      ),
    }
    setupAppProtocol({ protocol, net } as never, root)

    const ok = await handler!(new Request('app://coral/index.html'))
    const refused = await handler!(new Request('app://coral/a/..%2f..%2f..%2fsecret'))

    expect(protocol.handle.mock.calls[0]?.[0]).toBe('app')
    expect(net.fetch).toHaveBeenCalledWith(`file://${path.join(root, 'index.html')}`)
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(ok.headers.get('content-type')).toBe('text/html')
    expect(await ok.text()).toBe('<html></html>')
    expect(refused.status).toBe(404)
    expect(net.fetch).toHaveBeenCalledTimes(1)
  })
})
