/**
 * The worker-thread side of `GuardedH5Reader` (guarded-h5.ts).
 *
 * Owns h5wasm and the open files and answers one call at a time on the port
 * it is given. After posting each answer it raises the shared flag, which
 * wakes the parent blocked in `Atomics.wait`; a parent that waited too long
 * terminates this thread instead, which is the only way to stop WASM code
 * caught in a loop.
 *
 * Each answer says when this thread should take no new file (`retire`): the
 * HDF5 library failed on one of its files, so it may still hold that file
 * open, or its memory grew past `RETIRE_HEAP_BYTES`. The parent ends it once
 * its open files are closed and starts a fresh one for the next file.
 */
import { parentPort, workerData } from 'node:worker_threads'

import { CoralError } from '../errors.js'
import { H5Reader, loadH5wasm } from './h5-store.js'
import {
  H5_WORKER_READY,
  RETIRE_HEAP_BYTES,
  type H5Answer,
  type H5Call,
  type H5WorkerData,
} from './h5-protocol.js'

const { port, flag } = workerData as H5WorkerData
const answered = new Int32Array(flag)
const files = new Map<number, H5Reader>()
let nextHandle = 1
/** Set once the library failed on a file of this thread (see `H5Reader.libraryFailed`). */
let libraryFailedOn: string | undefined
const { module } = await loadH5wasm()

/** Why this thread should take no new file, if it should not. */
function retireReason(): string | undefined {
  for (const file of files.values()) {
    if (file.libraryFailed) libraryFailedOn ??= file.filePath
  }
  if (libraryFailedOn !== undefined) {
    return `the HDF5 library failed on ${libraryFailedOn} and may still hold it open`
  }
  const heap = module.HEAPU8.length
  if (heap > RETIRE_HEAP_BYTES) {
    return `its memory grew to ${Math.round(heap / 1e6)} MB`
  }
  return undefined
}

async function perform(call: H5Call): Promise<unknown> {
  if (call.method === 'open') {
    const handle = nextHandle++
    files.set(handle, await H5Reader.open(call.path))
    return handle
  }
  const file = files.get(call.handle)
  if (!file) {
    throw new CoralError('Internal', `HDF5 worker: no open file with handle ${call.handle}`)
  }
  switch (call.method) {
    case 'close':
      files.delete(call.handle)
      if (file.libraryFailed) libraryFailedOn ??= file.filePath
      return file.close()
    case 'keys':
      return file.keys(call.path)
    case 'has':
      return file.has(call.path)
    case 'rootAttributes':
      return file.rootAttributes()
    case 'attributes':
      return file.attributes(call.path)
    case 'filters':
      return file.filters(call.path)
    case 'declaredBytes':
      return file.declaredBytes(call.path)
    case 'read':
      return file.read(call.path)
  }
}

port.on('message', (call: H5Call) => {
  void perform(call)
    .then(
      (value) => {
        const bytes = (value as { bytes?: unknown } | undefined)?.bytes
        port.postMessage(
          { seq: call.seq, ok: true, value, retire: retireReason() } satisfies H5Answer,
          bytes instanceof Uint8Array ? [bytes.buffer as ArrayBuffer] : [],
        )
      },
      (error: unknown) => {
        const answer: H5Answer =
          error instanceof CoralError
            ? {
                seq: call.seq,
                ok: false,
                code: error.code,
                message: error.message,
                data: error.data,
              }
            : {
                seq: call.seq,
                ok: false,
                code: null,
                message: error instanceof Error ? error.message : String(error),
                data: {},
              }
        answer.retire = retireReason()
        port.postMessage(answer)
      },
    )
    .finally(() => {
      Atomics.store(answered, 0, 1)
      Atomics.notify(answered, 0)
    })
})

parentPort!.postMessage(H5_WORKER_READY)
