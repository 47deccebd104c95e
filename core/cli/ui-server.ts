/**
 * The `coral-ml ui` server: the desktop renderer, served to a browser.
 *
 * It serves the built renderer as static files and relays the core protocol
 * between each browser tab (over a WebSocket at `/ws`) and one core worker.
 * It listens on loopback with a random port and a random per-run token; see
 * `core/api/README.md` for the protocol and the security checks.
 */
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { access, realpath } from 'node:fs/promises'
import path from 'node:path'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { CoralError } from '../errors.js'
import type { CoreMethod } from '../api/contract.js'
import { createCoreClient, startCoreWorker } from '../api/core-client.js'
import type { CoreClient } from '../api/core-client.js'
import {
  createAccessPolicy,
  createToken,
  hasToken,
  hostForUrl,
  isAllowedHost,
  isAllowedOrigin,
  securityHeaders,
} from './ui/access-policy.js'
import type { AccessPolicy } from './ui/access-policy.js'
import { attachSocketSession } from './ui/socket-session.js'
import { resolveStaticFile, sendFile } from './ui/static-files.js'

/** Largest WebSocket message accepted from a browser, in bytes. */
export const MAX_MESSAGE_BYTES = 1024 * 1024

/** How to start the server. */
export interface UiServerOptions {
  /** A repository to open before serving; its path is offered to the UI by `/api/session`. */
  repoPath?: string
  /** TCP port; 0 (the default) picks a free one. */
  port?: number
  /** Address to bind; loopback unless told otherwise. */
  host?: string
  /** More `Host` names to accept, for a server bound beyond loopback. */
  allowedHosts?: string[]
  /** The built renderer (`out/renderer/`), holding `index.html`. */
  rendererDir: string
  /** The core to relay to; by default a forked worker that `close` stops. */
  client?: CoreClient
  /** A fixed token instead of a random one (tests and restarts that keep open tabs working). */
  token?: string
}

/** A running server. */
export interface UiServer {
  /** The address to open, token included: `http://127.0.0.1:<port>/?token=<token>`. */
  url: string
  port: number
  token: string
  /** Closes every socket and the server, and stops the core if the server started it. */
  close(): Promise<void>
}

/**
 * Starts the server and, when `repoPath` is given, opens that repository.
 *
 * Fails with `NotFound` when `rendererDir` has no `index.html`, and with the
 * core's error when the repository cannot be opened (nothing keeps running).
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1'
  const token = options.token ?? createToken()

  // Check the build
  const rendererDir = await realpath(path.resolve(options.rendererDir)).catch(() => null)
  const index = rendererDir === null ? null : path.join(rendererDir, 'index.html')
  if (rendererDir === null || index === null || !(await exists(index))) {
    throw new CoralError(
      'NotFound',
      `The UI build is missing: ${path.resolve(options.rendererDir, 'index.html')} does not exist; run npm run build:app.`,
      { rendererDir: options.rendererDir },
    )
  }

  // Start the core and open the repository
  const ownsClient = options.client === undefined
  const client = options.client ?? createCoreClient(() => startCoreWorker())
  const repoPath = options.repoPath === undefined ? null : path.resolve(options.repoPath)
  /** The repository the core has open, to reopen in a restarted worker. */
  let openPath: string | null = null
  if (repoPath !== null) {
    try {
      await client.request('openRepository', { path: repoPath }).result
      openPath = repoPath
    } catch (error) {
      if (ownsClient) {
        await client.close()
      }
      throw error
    }
  }
  // A restarted worker has no repository open: reopen the last one, and hold
  // the tabs' requests until it is, so they do not see NotARepository.
  let reopening: Promise<void> = Promise.resolve()
  const stopReopening = client.onRestart(() => {
    if (openPath !== null) {
      reopening = client.request('openRepository', { path: openPath }).result.then(
        () => {},
        () => {},
      )
    }
  })
  const onResult = (method: CoreMethod, _params: unknown, result: unknown) => {
    // Reopen by path: repeating openDemoRepository would build a second demo
    // in a new folder, and an import opens its target, not its source.
    const opened = openedPath(method, result)
    if (opened !== null) {
      openPath = opened
    }
  }

  // Serve
  let policy: AccessPolicy | undefined
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  const server = createServer((request, response) => {
    if (policy === undefined) {
      // Cannot happen once listening; answer rather than leave a request hanging.
      response.writeHead(503).end()
      return
    }
    void handleHttp(request, response, policy, rendererDir, repoPath)
  })
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = policy === undefined ? 503 : checkUpgrade(request, policy)
    if (refusal !== null) {
      socket.end(
        `HTTP/1.1 ${refusal} ${STATUS_TEXT[refusal]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      )
      return
    }
    wss.handleUpgrade(request, socket, head, (ws) =>
      attachSocketSession(ws, client, { gate: () => reopening, onResult }),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch(async (error: unknown) => {
    if (ownsClient) {
      await client.close()
    }
    throw error
  })
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  policy = createAccessPolicy(token, host, port, options.allowedHosts)

  let closing: Promise<void> | undefined
  return {
    url: `http://${hostForUrl(host)}:${port}/?token=${token}`,
    port,
    token,
    close() {
      closing ??= (async () => {
        stopReopening()
        for (const ws of wss.clients) {
          ws.close(1001, 'The Coral server is shutting down')
        }
        wss.close()
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        if (ownsClient) {
          await client.close()
        }
      })()
      return closing
    },
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  426: 'Upgrade Required',
  503: 'Service Unavailable',
}

/** The status refusing a WebSocket upgrade, or null to accept it. */
function checkUpgrade(request: IncomingMessage, policy: AccessPolicy): number | null {
  const url = parseTarget(request.url)
  if (url === null || url.pathname !== '/ws') {
    return 404
  }
  if (
    !isAllowedHost(policy, request.headers.host) ||
    !isAllowedOrigin(policy, request.headers.origin)
  ) {
    return 403
  }
  return hasToken(policy, url.searchParams.get('token')) ? null : 401
}

async function handleHttp(
  request: IncomingMessage,
  response: ServerResponse,
  policy: AccessPolicy,
  rendererDir: string,
  repoPath: string | null,
): Promise<void> {
  const headers = securityHeaders(policy)
  const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
    response.writeHead(status, {
      ...headers,
      'Content-Type': type,
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
    })
    response.end(request.method === 'HEAD' ? undefined : body)
  }

  // Who is asking
  if (
    !isAllowedHost(policy, request.headers.host) ||
    !isAllowedOrigin(policy, request.headers.origin)
  ) {
    reply(403, 'Forbidden: this server only answers its own pages.\n')
    return
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    reply(405, 'Method not allowed.\n')
    return
  }
  const url = parseTarget(request.url)
  if (url === null) {
    reply(400, 'Bad request.\n')
    return
  }

  // Endpoints that need the token
  if (url.pathname === '/ws') {
    reply(426, 'Upgrade required.\n')
    return
  }
  if (url.pathname.startsWith('/api/')) {
    if (!hasToken(policy, url.searchParams.get('token'))) {
      reply(401, 'Unauthorized: open the address coral-ml ui printed, with its token.\n')
    } else if (url.pathname === '/api/session') {
      reply(200, JSON.stringify({ repoPath }), 'application/json; charset=utf-8')
    } else {
      reply(404, 'Not found.\n')
    }
    return
  }

  // The renderer build
  const file = await resolveStaticFile(rendererDir, request.url ?? '/')
  if (file === null) {
    reply(404, 'Not found.\n')
    return
  }
  try {
    await sendFile(response, file, request.method === 'HEAD', headers)
  } catch {
    if (!response.headersSent) {
      reply(404, 'Not found.\n')
    }
  }
}

/** The repository a successful request left open in the core, or null if it opened none. */
export function openedPath(method: CoreMethod, result: unknown): string | null {
  const value = result as { path?: unknown; target?: unknown } | null
  const opened =
    method === 'openRepository' || method === 'openDemoRepository' || method === 'restoreBackup'
      ? value?.path
      : method === 'importPythonCoral'
        ? value?.target
        : undefined
  return typeof opened === 'string' ? opened : null
}

function parseTarget(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://localhost')
  } catch {
    return null
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}
