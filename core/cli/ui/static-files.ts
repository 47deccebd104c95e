/**
 * Serves the built renderer from one folder, and nothing outside it.
 */
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import type { ServerResponse } from 'node:http'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
}

/** The `Content-Type` for a file name (`application/octet-stream` when unknown). */
export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Maps a request target (`/assets/app.js?x`) to a file inside `root`.
 *
 * `root` must already be a real path. Returns null for anything that is not
 * a regular file inside it: `..` segments (raw or percent-encoded), NUL,
 * malformed escapes, and symbolic links that lead outside.
 */
export async function resolveStaticFile(root: string, target: string): Promise<string | null> {
  // Decode the path only; the query never names a file
  const rawPath = target.split(/[?#]/, 1)[0] ?? ''
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return null
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) {
    return null
  }
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded

  // Contain, before and after following links
  const candidate = path.resolve(root, `.${relative}`)
  if (!isInside(root, candidate)) {
    return null
  }
  try {
    const real = await realpath(candidate)
    if (!isInside(root, real) || !(await stat(real)).isFile()) {
      return null
    }
    return real
  } catch {
    return null
  }
}

/** Streams `file` with its content type; `head` sends the headers only. */
export async function sendFile(
  response: ServerResponse,
  file: string,
  head: boolean,
  headers: Record<string, string>,
): Promise<void> {
  const { size } = await stat(file)
  response.writeHead(200, {
    ...headers,
    'Content-Type': contentTypeOf(file),
    'Content-Length': String(size),
    // The build changes under the same names between runs; revalidate each time.
    'Cache-Control': 'no-cache',
  })
  if (head) {
    response.end()
    return
  }
  createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response)
}

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file)
  return (
    relative !== '' &&
    relative !== '..' &&
    !relative.startsWith(`..${path.sep}`) &&
    !path.isAbsolute(relative)
  )
}
