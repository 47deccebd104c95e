/**
 * A fault-injecting layer over node:fs, loaded into a `coral-ml` child with
 * `node --import` (see faults.ts). It wraps the file-system calls Coral makes
 * (fs/promises functions, FileHandle methods, the synchronous variants) and
 * makes exactly one of them fail with EIO, as a failing disk would:
 *
 *   CORAL_FAULT_ROOT   only calls on paths under this folder count
 *   CORAL_FAULT_EIO    `write:N` or `read:N`: the Nth counted write-class
 *                      (write, writeFile, sync, rename, link, copyFile) or
 *                      read-class (read, readFile) call throws EIO
 *   CORAL_FAULT_COUNT  a file that receives, at exit, the number of counted
 *                      calls of each class as JSON (to plan the sweep)
 *
 * Only the main thread is wrapped. Nothing here is part of Coral itself.
 */
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import path from 'node:path'
import { isMainThread } from 'node:worker_threads'

type Kind = 'write' | 'read'

const root = process.env['CORAL_FAULT_ROOT']
const spec = /^(write|read):(\d+)$/.exec(process.env['CORAL_FAULT_EIO'] ?? '')
const countFile = process.env['CORAL_FAULT_COUNT']

if (isMainThread && root !== undefined) {
  const base = fs.realpathSync(root) + path.sep
  const counts: Record<Kind, number> = { write: 0, read: 0 }
  const target = spec ? { kind: spec[1] as Kind, n: Number(spec[2]) } : undefined
  const handlePaths = new WeakMap<object, string>()
  const fdPaths = new Map<number, string>()

  const inside = (p: unknown): boolean => {
    if (typeof p !== 'string' && !(p instanceof URL)) return false
    const full = path.resolve(p instanceof URL ? p.pathname : p)
    return (full + path.sep).startsWith(base) || full.startsWith(base)
  }
  /** Counts a call on `p`; throws EIO when it is the chosen one. */
  const hit = (kind: Kind, p: unknown, syscall: string): void => {
    if (!inside(p)) return
    counts[kind]++
    if (target && target.kind === kind && target.n === counts[kind]) {
      const error = new Error(`EIO: i/o error, ${syscall} '${String(p)}'`) as NodeJS.ErrnoException
      error.code = 'EIO'
      error.errno = -5
      error.syscall = syscall
      error.path = String(p)
      throw error
    }
  }

  const fsp = fs.promises as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>
  const wrapAsync = (name: string, kind: Kind): void => {
    const original = fsp[name]!
    fsp[name] = async function (this: unknown, ...args: unknown[]) {
      hit(kind, args[0], name)
      return original.apply(this, args)
    }
  }
  for (const name of ['writeFile', 'appendFile', 'rename', 'link', 'copyFile'])
    wrapAsync(name, 'write')
  wrapAsync('readFile', 'read')

  const originalOpen = fsp['open']!
  fsp['open'] = async function (this: unknown, ...args: unknown[]) {
    const handle = (await originalOpen.apply(this, args)) as { fd: number }
    if (inside(args[0])) {
      handlePaths.set(handle, String(args[0]))
      // Synchronous reads and writes on the handle's descriptor count too.
      fdPaths.set(handle.fd, String(args[0]))
    } else fdPaths.delete(handle.fd)
    return handle
  }

  // FileHandle methods: find the prototype from a handle on any file.
  const probe = await fs.promises.open(process.execPath, 'r')
  const proto = Object.getPrototypeOf(probe) as Record<
    string,
    (...args: unknown[]) => Promise<unknown>
  >
  await probe.close()
  const wrapHandle = (name: string, kind: Kind): void => {
    const original = proto[name]!
    proto[name] = async function (this: object, ...args: unknown[]) {
      const p = handlePaths.get(this)
      if (p !== undefined) hit(kind, p, name)
      return original.apply(this, args)
    }
  }
  for (const name of ['write', 'writev', 'writeFile', 'appendFile', 'sync', 'datasync'])
    wrapHandle(name, 'write')
  for (const name of ['read', 'readv', 'readFile']) wrapHandle(name, 'read')

  const sync = fs as unknown as Record<string, (...args: unknown[]) => unknown>
  const wrapSync = (name: string, kind: Kind, byFd: boolean): void => {
    const original = sync[name]!
    sync[name] = function (this: unknown, ...args: unknown[]) {
      const p = byFd && typeof args[0] === 'number' ? fdPaths.get(args[0]) : args[0]
      hit(kind, p, name)
      return original.apply(this, args)
    }
  }
  const originalOpenSync = sync['openSync']!
  sync['openSync'] = function (this: unknown, ...args: unknown[]) {
    const fd = originalOpenSync.apply(this, args) as number
    if (inside(args[0])) fdPaths.set(fd, String(args[0]))
    else fdPaths.delete(fd)
    return fd
  }
  for (const name of ['writeFileSync', 'appendFileSync', 'renameSync', 'linkSync', 'copyFileSync'])
    wrapSync(name, 'write', false)
  wrapSync('readFileSync', 'read', false)
  for (const name of ['writeSync', 'fsyncSync']) wrapSync(name, 'write', true)
  wrapSync('readSync', 'read', true)

  // Callback-style fsync (the flush of core/store/atomic-write.ts).
  const callbacks = fs as unknown as Record<string, (...args: unknown[]) => void>
  const originalFsync = callbacks['fsync']!
  callbacks['fsync'] = function (this: unknown, ...args: unknown[]) {
    const done = args[args.length - 1] as (error: Error | null) => void
    try {
      hit('write', typeof args[0] === 'number' ? fdPaths.get(args[0]) : undefined, 'fsync')
    } catch (error) {
      process.nextTick(done, error)
      return
    }
    originalFsync.apply(this, args)
  }

  syncBuiltinESMExports()

  if (countFile !== undefined) {
    process.on('exit', () => {
      // The original writer: this file is outside the root and must not count.
      fs.writeFileSync(countFile, JSON.stringify(counts))
    })
  }
}
