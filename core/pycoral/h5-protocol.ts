/**
 * The messages between `GuardedH5Reader` (guarded-h5.ts) and its worker
 * thread (h5-worker.ts). Kept apart from the worker so that importing them
 * never runs the worker's top-level code in the calling thread.
 */
import type { MessagePort } from 'node:worker_threads'

import type { ErrorCode } from '../errors.js'

/** The reader methods a call can name; `open` and `close` manage handles. */
export type H5Method =
  | 'open'
  | 'close'
  | 'keys'
  | 'has'
  | 'rootAttributes'
  | 'attributes'
  | 'filters'
  | 'declaredBytes'
  | 'read'

/** One call: a method of the file behind `handle` (0 for `open`). */
export interface H5Call {
  /** Echoed in the answer, so a late or stray answer is never taken for this call's. */
  seq: number
  method: H5Method
  handle: number
  /** The path argument (file path for `open`, dataset or group otherwise). */
  path: string
}

/** The answer to an `H5Call`. */
export type H5Answer = (
  | { seq: number; ok: true; value: unknown }
  | {
      seq: number
      ok: false
      code: ErrorCode | null
      message: string
      data: Record<string, unknown>
    }
) & {
  /**
   * Set once the thread should take no new file: the parent ends it when its
   * open files are closed (see `retireReason` in h5-worker.ts).
   */
  retire?: string
}

/**
 * A reader thread whose WebAssembly memory grew past this is ended once its
 * files are closed. The memory of a WebAssembly instance never shrinks, and a
 * damaged chunk record can make the HDF5 library allocate a buffer of any
 * size it names (1 GB in store-fuzz seed 5, case 1067), which a thread kept
 * for the next import would hold for the life of the process. h5wasm starts
 * at about 19 MB.
 */
export const RETIRE_HEAP_BYTES = 256 * 1024 * 1024

/** What the parent hands over in `workerData`. */
export interface H5WorkerData {
  port: MessagePort
  /** Int32 slot 0: 0 while a call runs, 1 once its answer is posted. */
  flag: SharedArrayBuffer
}

/** The first message on `parentPort` once h5wasm is loaded. */
export const H5_WORKER_READY = 'coral-h5-ready'
