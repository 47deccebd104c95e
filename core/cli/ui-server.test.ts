import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { CoralError } from '../errors.js'
import type { FromCore } from '../api/contract.js'
import { createCoreClient, startCoreWorker } from '../api/core-client.js'
import type { CoreClient } from '../api/core-client.js'
import { openedPath, startUiServer } from './ui-server.js'
import type { UiServer } from './ui-server.js'

const FAKE_WORKER = new URL('../api/testing/fake-worker-main.ts', import.meta.url)
const MIGRATE = {
  strategy: 'kmeans',
  threshold: 0.9,
  backup: false,
  dryRun: false,
  batchSize: 8,
  force: false,
}

interface RawResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** A GET with the target sent exactly as given (fetch would normalize `..`). */
function rawGet(
  port: number,
  target: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: target, headers }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      )
    })
    request.on('error', reject)
    request.end()
  })
}

/** A socket and everything it has received. */
type Tab = WebSocket & { box: ReturnType<typeof inbox> }

/** Opens a socket; resolves with it once open, or with the refusal status. */
function connect(url: string, headers: Record<string, string> = {}): Promise<Tab | number> {
  return new Promise((resolve, reject) => {
    // The inbox listens from the start: `ready` may arrive before `open` resolves.
    const socket = Object.assign(new WebSocket(url, { headers }), {
      box: undefined as never,
    }) as Tab
    socket.box = inbox(socket)
    socket.on('open', () => resolve(socket))
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
    socket.on('error', reject)
  })
}

/** Collects a socket's messages and waits for particular ones. */
function inbox(socket: WebSocket) {
  const messages: FromCore[] = []
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as FromCore))
  return {
    messages,
    async response(id: number) {
      await expect
        .poll(() => messages.some((m) => m.kind === 'response' && m.id === id), POLL)
        .toBe(true)
      return messages.find((m) => m.kind === 'response' && m.id === id) as Extract<
        FromCore,
        { kind: 'response' }
      >
    },
  }
}

/** Waits generously: forked workers start slowly on a loaded machine. */
const POLL = { timeout: 30_000 }

describe('cli/ui-server', () => {
  let root: string
  let rendererDir: string
  let client: CoreClient
  let server: UiServer
  const cancelled: string[] = []

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'coral-'))
    rendererDir = path.join(root, 'renderer')
    fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true })
    fs.writeFileSync(path.join(root, 'package.json'), '{"secret": true}')
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Coral</title>')
    fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
    fs.symlinkSync(path.join(root, 'package.json'), path.join(rendererDir, 'assets', 'link.json'))
    const real = createCoreClient(() =>
      startCoreWorker({ entry: FAKE_WORKER, execArgv: ['--import', 'tsx'] }),
    )
    // Records cancels so the test can see a closed socket cancel its requests.
    client = {
      ...real,
      get pid() {
        return real.pid
      },
      request(method, params, onProgress) {
        const pending = real.request(method, params, onProgress)
        return {
          result: pending.result,
          cancel: () => {
            cancelled.push(method)
            pending.cancel()
          },
        }
      },
    }
    server = await startUiServer({ rendererDir, client, repoPath: path.join(root, 'repo') })
  })

  afterAll(async () => {
    await server?.close()
    await client?.close()
    fs.rmSync(root, { recursive: true, force: true })
  })

  describe('static files and headers', () => {
    it('serves the page at the printed url with the security headers', async () => {
      const target = new URL(server.url)

      const response = await rawGet(server.port, `${target.pathname}${target.search}`)

      expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
      expect(server.token).toMatch(/^[0-9a-f]{64}$/)
      expect(response.status).toBe(200)
      expect(response.body).toContain('<title>Coral</title>')
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(response.headers['content-security-policy']).toContain(
        `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:${server.port}`,
      )
      expect(response.headers['x-content-type-options']).toBe('nosniff')
      expect(response.headers['referrer-policy']).toBe('no-referrer')
    })

    it('serves assets with their content type', async () => {
      const response = await rawGet(server.port, '/assets/app.js')

      expect(response.status).toBe(200)
      expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8')
      expect(response.body).toBe('console.log(1)')
    })

    it.each([
      '/../package.json',
      '/%2e%2e/package.json',
      '/assets/../../package.json',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/assets/link.json',
      '/..%5cpackage.json',
      '/%00',
      '/%E0%A4%A',
      '/missing.js',
    ])('answers 404 for %s', async (target) => {
      const response = await rawGet(server.port, target)

      expect(response.status).toBe(404)
      expect(response.body).not.toContain('secret')
    })

    it('refuses a foreign Host with 403', async () => {
      const response = await rawGet(server.port, '/', { Host: `evil.example:${server.port}` })

      expect(response.status).toBe(403)
    })

    it('accepts localhost as Host', async () => {
      const response = await rawGet(server.port, '/', { Host: `localhost:${server.port}` })

      expect(response.status).toBe(200)
    })

    it('refuses other methods', async () => {
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.request(
          { host: '127.0.0.1', port: server.port, path: '/', method: 'POST' },
          (r) => {
            r.resume()
            resolve(r.statusCode ?? 0)
          },
        )
        request.on('error', reject)
        request.end()
      })

      expect(status).toBe(405)
    })
  })

  describe('binding', () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address

    it('listens on loopback by default', async () => {
      const local = await connectError('127.0.0.1', server.port)
      expect(local).toBeUndefined()
    })

    it.skipIf(external === undefined)(
      `is not reachable on this machine's other addresses (${external ?? 'none'})`,
      async () => {
        expect((await connectError(external!, server.port))?.code).toBe('ECONNREFUSED')
      },
    )
  })

  describe('/api/session', () => {
    it('returns the repository opened at start, with the token only', async () => {
      const ok = await rawGet(server.port, `/api/session?token=${server.token}`)
      const missing = await rawGet(server.port, '/api/session')
      const wrong = await rawGet(server.port, `/api/session?token=${'0'.repeat(64)}`)
      const foreign = await rawGet(server.port, `/api/session?token=${server.token}`, {
        Origin: 'http://evil.example',
      })

      expect(ok.status).toBe(200)
      expect(JSON.parse(ok.body)).toEqual({ repoPath: path.join(root, 'repo') })
      expect(missing.status).toBe(401)
      expect(wrong.status).toBe(401)
      expect(foreign.status).toBe(403)
    })
  })

  describe('WebSocket', () => {
    const wsUrl = (token?: string) =>
      `ws://127.0.0.1:${server.port}/ws${token === undefined ? '' : `?token=${token}`}`

    it('refuses a missing or wrong token', async () => {
      expect(await connect(wsUrl())).toBe(401)
      expect(await connect(wsUrl('x'))).toBe(401)
      expect(await connect(wsUrl('a'.repeat(64)))).toBe(401)
    })

    it('refuses a foreign Origin or Host', async () => {
      expect(await connect(wsUrl(server.token), { Origin: 'http://evil.example' })).toBe(403)
      expect(
        await connect(wsUrl(server.token), { Origin: `http://127.0.0.1:${server.port + 1}` }),
      ).toBe(403)
      expect(await connect(wsUrl(server.token), { Host: `rebound.example:${server.port}` })).toBe(
        403,
      )
    })

    it('relays a request, its progress and its error form', async () => {
      const socket = (await connect(wsUrl(server.token), {
        Origin: `http://127.0.0.1:${server.port}`,
      })) as Tab
      const box = socket.box

      socket.send(JSON.stringify({ kind: 'request', id: 1, method: 'summary', params: {} }))
      socket.send(
        JSON.stringify({
          kind: 'request',
          id: 2,
          method: 'analyze',
          params: { strategy: 'kmeans', threshold: 0.5 },
        }),
      )
      socket.send(
        JSON.stringify({
          kind: 'request',
          id: 3,
          method: 'openRepository',
          params: { path: 'missing' },
        }),
      )
      socket.send(
        JSON.stringify({
          kind: 'request',
          id: 4,
          method: 'analyze',
          params: { strategy: 'kmeans', threshold: 9 },
        }),
      )

      const summary = await box.response(1)
      const analyze = await box.response(2)
      const missing = await box.response(3)
      const invalid = await box.response(4)
      expect(box.messages[0]).toEqual({ kind: 'ready', version: 1 })
      expect(summary.ok && (summary.result as { path: string }).path).toBe(path.join(root, 'repo'))
      expect(analyze.ok).toBe(true)
      expect(box.messages.filter((m) => m.kind === 'progress' && m.id === 2).at(-1)).toMatchObject({
        progress: { phase: 'sketch', done: 1000, total: 1000 },
      })
      expect(missing.ok === false && missing.error).toEqual({
        code: 'NotARepository',
        message: 'missing: not a Coral repository.',
        data: { path: 'missing' },
      })
      expect(invalid.ok === false && invalid.error.code).toBe('InvalidArgument')
      socket.close()
    })

    it('keeps two tabs that use the same ids apart', async () => {
      const a = (await connect(wsUrl(server.token))) as Tab
      const b = (await connect(wsUrl(server.token))) as Tab
      const boxA = a.box
      const boxB = b.box

      a.send(JSON.stringify({ kind: 'request', id: 1, method: 'migrate', params: MIGRATE }))
      b.send(
        JSON.stringify({
          kind: 'request',
          id: 1,
          method: 'detectRepository',
          params: { path: '/x' },
        }),
      )
      a.send(JSON.stringify({ kind: 'cancel', id: 1 }))

      const answerB = await boxB.response(1)
      const answerA = await boxA.response(1)
      expect(answerB.ok && answerB.result).toEqual({ kind: 'none' })
      expect(answerA.ok === false && answerA.error.code).toBe('Cancelled')
      a.close()
      b.close()
    })

    it('rejects a duplicate in-flight id on one socket', async () => {
      const socket = (await connect(wsUrl(server.token))) as Tab
      const box = socket.box

      socket.send(JSON.stringify({ kind: 'request', id: 5, method: 'migrate', params: MIGRATE }))
      socket.send(JSON.stringify({ kind: 'request', id: 5, method: 'summary', params: {} }))

      const first = await box.response(5)
      expect(first.ok === false && first.error.code).toBe('InvalidArgument')
      socket.send(JSON.stringify({ kind: 'cancel', id: 5 }))
      await expect
        .poll(() => box.messages.filter((m) => m.kind === 'response').length, POLL)
        .toBe(2)
      socket.close()
    })

    it('cancels the requests of a socket that closes', async () => {
      const socket = (await connect(wsUrl(server.token))) as Tab
      const box = socket.box
      socket.send(JSON.stringify({ kind: 'request', id: 1, method: 'migrate', params: MIGRATE }))
      await expect.poll(() => box.messages.some((m) => m.kind === 'progress'), POLL).toBe(true)
      cancelled.length = 0

      socket.close()

      await expect.poll(() => cancelled, POLL).toEqual(['migrate'])
    })

    it('closes a socket that sends something other than a JSON envelope', async () => {
      const socket = (await connect(wsUrl(server.token))) as Tab
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)))

      socket.send('not json')

      expect(await closed).toBe(1003)
    })
  })

  describe('core restarts', () => {
    it('reopens the repository in a restarted worker before relaying', async () => {
      const restarted = new Promise<void>((resolve) => {
        const stop = client.onRestart(() => {
          stop()
          resolve()
        })
      })
      process.kill(client.pid!, 'SIGKILL')
      await restarted
      const socket = (await connect(
        `ws://127.0.0.1:${server.port}/ws?token=${server.token}`,
      )) as Tab

      socket.send(JSON.stringify({ kind: 'request', id: 1, method: 'summary', params: {} }))

      const answer = await socket.box.response(1)
      expect(answer.ok && (answer.result as { path: string }).path).toBe(path.join(root, 'repo'))
      socket.close()
    })

    it('reopens the demo a tab opened by its path, not by building another demo', async () => {
      const socket = (await connect(
        `ws://127.0.0.1:${server.port}/ws?token=${server.token}`,
      )) as Tab
      socket.send(
        JSON.stringify({ kind: 'request', id: 1, method: 'openDemoRepository', params: {} }),
      )
      const opened = await socket.box.response(1)
      const demoPath = opened.ok && (opened.result as { path: string }).path
      expect(demoPath).toMatch(/^\/demo-\d+$/)
      const restarted = new Promise<void>((resolve) => {
        const stop = client.onRestart(() => {
          stop()
          resolve()
        })
      })

      process.kill(client.pid!, 'SIGKILL')
      await restarted
      socket.send(JSON.stringify({ kind: 'request', id: 2, method: 'summary', params: {} }))

      const answer = await socket.box.response(2)
      expect(answer.ok && (answer.result as { path: string }).path).toBe(demoPath)
      socket.close()
    })
  })

  describe('openedPath', () => {
    it('names the repository an open, a demo, a restore or an import left open', () => {
      const summary = { path: '/r' }

      expect(openedPath('openRepository', summary)).toBe('/r')
      expect(openedPath('openDemoRepository', summary)).toBe('/r')
      expect(openedPath('restoreBackup', summary)).toBe('/r')
      expect(openedPath('importPythonCoral', { source: '/py', target: '/t' })).toBe('/t')
      expect(openedPath('summary', summary)).toBeNull()
      expect(openedPath('openRepository', null)).toBeNull()
    })
  })

  describe('start-up', () => {
    it('fails with the core error when the repository cannot be opened', async () => {
      const error = await startUiServer({
        rendererDir,
        client,
        repoPath: path.join(root, 'missing'),
      }).catch((e: unknown) => e)

      expect(error).toBeInstanceOf(CoralError)
      expect((error as CoralError).code).toBe('NotARepository')
    })

    it('fails with NotFound when the build is missing', async () => {
      const error = await startUiServer({ rendererDir: path.join(root, 'nope'), client }).catch(
        (e: unknown) => e,
      )

      expect((error as CoralError).code).toBe('NotFound')
    })
  })
})

/** Connects and disconnects; the error, or undefined when the connection was accepted. */
function connectError(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    socket.setTimeout(2000, () => {
      socket.destroy()
      resolve(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }))
    })
    socket.once('connect', () => {
      socket.destroy()
      resolve(undefined)
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error))
  })
}
