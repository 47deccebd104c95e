/**
 * HDF5 reads under a time limit.
 *
 * A damaged or hostile weights.h5 can send the HDF5 library into an endless
 * loop (a corrupt object header, seen with a few flipped bytes), and WASM
 * code cannot be interrupted from its own thread. So `GuardedH5Reader` runs
 * `H5Reader` in a worker thread (h5-worker.ts) and makes each call
 * synchronous by blocking in `Atomics.wait` with a limit: metadata calls get
 * `METADATA_LIMIT_MS`, reads that plus their declared size at
 * `READ_BYTES_PER_MS`. A call that overruns ends the worker and raises
 * `MalformedFile`; the reader then refuses every further call at once, so a
 * damaged file costs one limit, not one per tensor. These errors carry
 * `data.readerGaveUp`: a time limit cannot tell a damaged file from a busy
 * machine, so the repository reader fails as a whole on them instead of
 * calling the remaining tensors unreadable (docs/RELIABILITY.md, R9).
 *
 * One worker serves the open files of the process and stays for the next
 * import (loading h5wasm takes about 0.3 s) as long as it is sound; it never
 * keeps the process alive. A worker that gave up, or that asks to retire (the
 * HDF5 library failed on one of its files and may still hold it open, or its
 * WebAssembly memory, which never shrinks, grew past `RETIRE_HEAP_BYTES`),
 * takes no new file and is ended when its last file is closed; `close()`
 * resolves once that thread has exited, so its memory is returned by then
 * (docs/RELIABILITY.md, R14).
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads'

import { CoralError } from '../errors.js'
import type { H5Filter, H5Source, RawDataset } from './h5-store.js'
import {
  H5_WORKER_READY,
  type H5Answer,
  type H5Call,
  type H5Method,
  type H5WorkerData,
} from './h5-protocol.js'

/**
 * Limit of one metadata call (listing a group, reading attributes or
 * filters). On an undamaged file these take well under 10 ms.
 */
export const METADATA_LIMIT_MS = 2000
/** Slowest dataset read rate allowed for (10 MB/s; gzip in WASM runs faster than 50 MB/s). */
export const READ_BYTES_PER_MS = 10_000
/** Limit for starting the worker and loading h5wasm in it. */
const STARTUP_LIMIT_MS = 60_000

interface Host {
  worker: Worker
  port: MessagePort
  answered: Int32Array
  /** Number of the last call sent. */
  seq: number
  /** Files open on this worker. */
  files: number
  /** Why this worker was given up, once it was. */
  dead?: string
  /** Why this worker takes no new file, once it asked to retire. */
  retire?: string
  /** Settles once the worker, ended, has exited. */
  ended?: Promise<void>
}

let shared: Promise<Host> | undefined

/**
 * Ends `h`'s thread (it takes no call from now on) and settles once the
 * thread has exited, which frees its WebAssembly memory.
 */
function end(h: Host): Promise<void> {
  h.dead ??= 'the HDF5 reader thread was ended'
  h.ended ??= h.worker.terminate().then(
    () => h.port.close(),
    () => h.port.close(),
  )
  return h.ended
}

/** Ends `h` when no file is open on it any more and it gave up or retired. */
async function endIfDone(h: Host): Promise<void> {
  if (h.files === 0 && (h.dead !== undefined || h.retire !== undefined)) {
    await end(h)
  }
}

/** The worker entry beside this module: `.js` when built, `.ts` when run from source. */
function workerEntry(): URL {
  const extension = path.extname(fileURLToPath(import.meta.url))
  return new URL(`./h5-worker${extension}`, import.meta.url)
}

function spawn(data: H5WorkerData): Worker {
  const entry = workerEntry()
  const options = { workerData: data, transferList: [data.port] }
  if (!entry.pathname.endsWith('.ts')) {
    return new Worker(entry, options)
  }
  // From source (vitest, tsx): the worker registers the TypeScript loader itself.
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(bootstrap, { ...options, eval: true })
}

async function startHost(): Promise<Host> {
  const { port1, port2 } = new MessageChannel()
  const flag = new SharedArrayBuffer(4)
  const worker = spawn({ port: port2, flag })
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer within ${STARTUP_LIMIT_MS} ms`)),
        STARTUP_LIMIT_MS,
      )
      worker.once('error', (error) => {
        clearTimeout(timer)
        reject(error)
      })
      worker.once('message', (message) => {
        clearTimeout(timer)
        if (message === H5_WORKER_READY) resolve()
        else reject(new Error(`unexpected first message ${String(message)}`))
      })
    })
  } catch (error) {
    void worker.terminate()
    throw new CoralError(
      'Internal',
      `The HDF5 reader thread did not start (${error instanceof Error ? error.message : String(error)})`,
      {},
      { cause: error },
    )
  }
  worker.unref()
  port1.unref()
  const host: Host = { worker, port: port1, answered: new Int32Array(flag), seq: 0, files: 0 }
  // A worker that exits on its own (out of memory, say) fails the next call at once.
  worker.on('exit', () => {
    host.dead ??= 'the HDF5 reader thread exited'
  })
  return host
}

/**
 * The process's worker, started on first use and again after one gave up or
 * retired. A replaced worker with no open file is ended first, so two
 * reader threads' memory is never held at once on that account.
 */
async function host(): Promise<Host> {
  for (;;) {
    const pending = shared
    const current = pending ? await pending.catch(() => undefined) : undefined
    if (pending !== shared) {
      continue // replaced while we waited
    }
    if (current && current.dead === undefined && current.retire === undefined) {
      return current
    }
    shared = (async () => {
      if (current) await endIfDone(current)
      return startHost()
    })()
  }
}

/** An open read-only HDF5 file whose every call finishes or fails within its limit. */
export class GuardedH5Reader implements H5Source {
  private closed = false

  private constructor(
    private readonly host: Host,
    private readonly handle: number,
    /** Path of the file on the host. */
    readonly filePath: string,
  ) {}

  /** Opens `filePath`; raises what `H5Reader.open` raises, or `MalformedFile` on a timeout. */
  static async open(filePath: string): Promise<GuardedH5Reader> {
    const h = await host()
    let handle: number
    try {
      handle = call<number>(
        h,
        filePath,
        { seq: 0, method: 'open', handle: 0, path: filePath },
        METADATA_LIMIT_MS,
      )
    } catch (error) {
      await endIfDone(h)
      throw error
    }
    h.files++
    return new GuardedH5Reader(h, handle, filePath)
  }

  /** Id of the thread serving this file (tests check that threads are reused or replaced). */
  get threadId(): number {
    return this.host.worker.threadId
  }

  keys(group: string): string[] {
    return this.call('keys', group)
  }

  has(datasetPath: string): boolean {
    return this.call('has', datasetPath)
  }

  rootAttributes(): Record<string, unknown> {
    return this.call('rootAttributes', '/')
  }

  attributes(datasetPath: string): Record<string, unknown> {
    return this.call('attributes', datasetPath)
  }

  filters(datasetPath: string): H5Filter[] {
    return this.call('filters', datasetPath)
  }

  read(datasetPath: string): RawDataset {
    const bytes = this.call<number>('declaredBytes', datasetPath)
    return this.call('read', datasetPath, METADATA_LIMIT_MS + Math.ceil(bytes / READ_BYTES_PER_MS))
  }

  /**
   * Releases the file. The worker stays for other files unless it gave up or
   * retired and this was its last file: then it is ended, and this settles
   * once its thread has exited.
   */
  async close(): Promise<void> {
    if (this.closed) {
      return
    }
    this.closed = true
    this.host.files--
    try {
      if (this.host.dead === undefined) {
        this.call('close', '/')
      }
    } finally {
      await endIfDone(this.host)
    }
  }

  private call<T>(method: H5Method, target: string, limitMs = METADATA_LIMIT_MS): T {
    return call<T>(
      this.host,
      this.filePath,
      { seq: 0, method, handle: this.handle, path: target },
      limitMs,
    )
  }
}

/**
 * One synchronous call to the worker, bounded by `limitMs`.
 *
 * Answers carry the call's number: an answer to an earlier call still in the
 * port (the fuzzer saw answers arrive one call late, after which every
 * answer went to the wrong call, e.g. a dataset's bytes to the next read:
 * docs/RELIABILITY.md, R11) is discarded, and the wait goes on for this one.
 */
function call<T>(h: Host, filePath: string, request: H5Call, limitMs: number): T {
  if (h.dead !== undefined) {
    throw new CoralError('MalformedFile', `${filePath}: not read further, because ${h.dead}`, {
      path: filePath,
      readerGaveUp: true,
    })
  }
  const seq = ++h.seq
  const deadline = performance.now() + limitMs
  Atomics.store(h.answered, 0, 0)
  h.port.postMessage({ ...request, seq })
  let answer: H5Answer | undefined
  while (answer === undefined) {
    const left = deadline - performance.now()
    if (left <= 0 || Atomics.wait(h.answered, 0, 0, left) === 'timed-out') {
      h.dead =
        `the HDF5 library did not answer within ${limitMs} ms (${request.method} ${request.path}); ` +
        'the file is probably damaged, or the machine was too busy to answer in time'
      void end(h)
      throw new CoralError('MalformedFile', `${filePath}: ${h.dead}`, {
        path: filePath,
        limitMs,
        readerGaveUp: true,
      })
    }
    // Reset before draining: an answer posted from here on raises the flag again.
    Atomics.store(h.answered, 0, 0)
    for (let m = receiveMessageOnPort(h.port); m !== undefined; m = receiveMessageOnPort(h.port)) {
      const message = m.message as H5Answer
      if (message.seq === seq) {
        answer = message
        break
      }
    }
  }
  if (answer.retire !== undefined) {
    h.retire ??= answer.retire
  }
  if (answer.ok) {
    return answer.value as T
  }
  if (answer.code === null) {
    // Not one of the reader's own errors: a trap inside the HDF5 library
    // (e.g. "memory access out of bounds" on a damaged file). Its memory may
    // be inconsistent now, so no later answer from it is trusted (R11).
    h.dead = `the HDF5 library failed inside (${answer.message}) on ${request.method} ${request.path}`
    void end(h)
    throw new CoralError('MalformedFile', `${filePath}: ${h.dead}`, {
      path: filePath,
      readerGaveUp: true,
    })
  }
  // The in-thread reader's own errors, re-raised as they were.
  throw new CoralError(answer.code, answer.message, answer.data)
}
