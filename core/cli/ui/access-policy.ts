/**
 * Who may talk to the `coral-ml ui` server.
 *
 * The server listens on loopback, but any web page the user has open could
 * still send requests to it, and a DNS-rebinding page can make them look
 * same-origin. So every request must name this server in `Host`, must come
 * from its own pages when it carries an `Origin`, and everything beyond the
 * static build needs the per-run token, which only the printed URL holds.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'

/** The checks of one running server. */
export interface AccessPolicy {
  readonly token: string
  /** Accepted `Host` header values, lower case, e.g. `127.0.0.1:5173`. */
  readonly hosts: ReadonlySet<string>
  /** Accepted `Origin` header values, e.g. `http://127.0.0.1:5173`. */
  readonly origins: ReadonlySet<string>
}

/** A new random token: 32 bytes as 64 hex digits. */
export function createToken(): string {
  return randomBytes(32).toString('hex')
}

/**
 * Builds the policy for a server bound to `host:port`.
 *
 * `127.0.0.1`, `localhost` and the bound host are accepted, plus any
 * `extraHosts` (names under which a server bound beyond loopback is reached).
 */
export function createAccessPolicy(
  token: string,
  host: string,
  port: number,
  extraHosts: readonly string[] = [],
): AccessPolicy {
  const names = new Set(['127.0.0.1', 'localhost', host, ...extraHosts].map(hostForUrl))
  const hosts = new Set([...names].map((name) => `${name}:${port}`.toLowerCase()))
  const origins = new Set([...hosts].map((value) => `http://${value}`))
  return { token, hosts, origins }
}

/** True when the `Host` header names this server. */
export function isAllowedHost(policy: AccessPolicy, host: string | undefined): boolean {
  return host !== undefined && policy.hosts.has(host.toLowerCase())
}

/** True when there is no `Origin` header (not a browser page) or it is one of this server's. */
export function isAllowedOrigin(policy: AccessPolicy, origin: string | undefined): boolean {
  return origin === undefined || policy.origins.has(origin.toLowerCase())
}

/** Compares a candidate token in constant time. */
export function hasToken(policy: AccessPolicy, candidate: string | null | undefined): boolean {
  if (typeof candidate !== 'string') {
    return false
  }
  const expected = Buffer.from(policy.token)
  const given = Buffer.from(candidate)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** `::1` becomes `[::1]`, as it must appear in a URL or `Host` header. */
export function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

/** Headers sent with every response of a server listening on `port`. */
export function securityHeaders(policy: AccessPolicy): Record<string, string> {
  const sockets = [...policy.hosts].map((value) => `ws://${value}`).join(' ')
  return {
    'Content-Security-Policy': `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ${sockets}`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  }
}
