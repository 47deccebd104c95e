/**
 * Serves the built renderer from `app://coral/` instead of `file://`.
 *
 * A custom standard, secure scheme gives the app its own origin (so `'self'` in the CSP and
 * the IPC sender check mean "this app" and not "any local file"), and lets main attach the
 * CSP header to every response. Requests may only reach files inside the renderer folder.
 */
import path from 'node:path'
import { pathToFileURL } from 'node:url'

import type { Net, Protocol } from 'electron'

import { APP_HOST, APP_SCHEME } from './app-url.js'
import { PRODUCTION_CSP } from './window-options.js'

/** The privileged-scheme registration; must happen before `app` is ready. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
}

/**
 * Maps an `app://coral/...` URL to a file inside `rendererDir`, or null when it must be refused.
 *
 * Refused: another host or scheme, encoded or literal `..` escapes, and NUL bytes. The root
 * `/` maps to `index.html`.
 */
export function resolveAppRequest(rendererDir: string, requestUrl: string): string | null {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return null
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) {
    return null
  }
  let pathname: string
  try {
    pathname = decodeURIComponent(url.pathname)
  } catch {
    return null
  }
  if (pathname.includes('\0')) {
    return null
  }
  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '')
  const root = path.resolve(rendererDir)
  const file = path.resolve(root, relative)
  if (file !== root && !file.startsWith(root + path.sep)) {
    return null
  }
  return file
}

/** The Electron objects `setupAppProtocol` uses. */
export interface AppProtocolDeps {
  protocol: Pick<Protocol, 'handle'>
  net: Pick<Net, 'fetch'>
}

/** Registers the `app:` handler; call after `app` is ready. */
export function setupAppProtocol(deps: AppProtocolDeps, rendererDir: string): void {
  deps.protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppRequest(rendererDir, request.url)
    if (file === null) {
      return new Response('Not found', { status: 404 })
    }
    const response = await deps.net.fetch(pathToFileURL(file).toString())
    const headers = new Headers(response.headers)
    headers.set('Content-Security-Policy', PRODUCTION_CSP)
    headers.set('X-Content-Type-Options', 'nosniff')
    return new Response(response.body, { status: response.status, headers })
  })
}
