/**
 * Read-only access to the HDF5 files the Python `coral-ml` writes, through h5wasm.
 *
 * Every dataset is read as raw bytes straight from the HDF5 library into a
 * malloc'd WASM buffer (the path h5wasm itself uses for `.value`), so float16
 * and every other dtype come out bit-exact without any conversion. Before a
 * read the dataset's filter pipeline is checked against the filters we know
 * decode correctly: h5wasm silently returns garbage for a filter it cannot
 * run, so anything else is refused with `Unsupported`.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'

import { CoralError } from '../errors.js'
import type { DType } from '../tensor/dtype.js'

/** HDF5 filter ids (H5Z). */
export const FILTER_DEFLATE = 1
export const FILTER_SHUFFLE = 2
export const FILTER_FLETCHER32 = 3
export const FILTER_LZF = 32000

/** The numpy dtype names the Python Coral stores, mapped to our dtypes. */
export const NUMPY_DTYPES: Readonly<Record<string, DType>> = {
  float64: 'F64',
  float32: 'F32',
  float16: 'F16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
}

/** One HDF5 filter of a dataset's pipeline. */
export interface H5Filter {
  id: number
  name: string
  cd_values: number[]
}

/** The subset of h5wasm's dataset metadata we rely on. */
interface H5Metadata {
  /** H5T class: 0 integer, 1 float, 8 enum. */
  type: number
  signed: boolean
  littleEndian: boolean
  /** Bytes per element. */
  size: number
  total_size: number
  shape: number[] | null
  vlen: boolean
}

interface H5DatasetLike {
  filters: H5Filter[]
  metadata: H5Metadata
  attrs: Record<string, { value: unknown }>
  file_id: bigint
  path: string
}

interface H5GroupLike {
  keys(): string[]
  get(name: string): unknown
  attrs: Record<string, { value: unknown }>
}

interface H5FileLike extends H5GroupLike {
  close(): number
}

interface H5ModuleLike {
  HEAPU8: Uint8Array
  _malloc(size: number): number
  _free(ptr: number): void
  get_dataset_data(
    fileId: bigint,
    path: string,
    count: null,
    offset: null,
    strides: null,
    ptr: bigint,
  ): number
  activate_throwing_error_handler(): number
  insert_plugin_search_path(searchPath: string, index: number): number
}

interface H5wasmApi {
  File: new (filename: string, mode: 'r' | 'w') => H5FileLike
  Dataset: new (fileId: bigint, path: string) => H5DatasetLike
  Group: new (fileId: bigint, path: string) => H5GroupLike
}

interface Loaded {
  api: H5wasmApi
  module: H5ModuleLike
  /** Whether the LZF plugin is installed and passed its round-trip self-test. */
  lzf: boolean
  /** Why LZF is unavailable, when it is. */
  lzfReason: string
}

let loading: Promise<Loaded> | undefined

/**
 * Loads h5wasm once per process (about 0.3 s) and installs the LZF plugin.
 *
 * NOTE: under Node 21+ (Electron's Node 24) a global `navigator` makes
 * Emscripten believe it runs in a browser; h5wasm's documented workaround is
 * to hide it while the module initialises.
 */
export function loadH5wasm(): Promise<Loaded> {
  loading ??= (async () => {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'navigator')
    const hide = descriptor !== undefined && descriptor.configurable === true
    if (hide) {
      Object.defineProperty(globalThis, 'navigator', {
        value: undefined,
        configurable: true,
        writable: true,
      })
    }
    let api: H5wasmApi
    let module: H5ModuleLike
    try {
      const imported = (await import('h5wasm/node')).default as unknown as H5wasmApi & {
        ready: Promise<unknown>
      }
      module = (await imported.ready) as H5ModuleLike
      api = imported
    } finally {
      if (hide && descriptor) {
        Object.defineProperty(globalThis, 'navigator', descriptor)
      }
    }
    module.activate_throwing_error_handler()
    const { lzf, lzfReason } = await installLzf(api, module)
    return { api, module, lzf, lzfReason }
  })()
  return loading
}

/**
 * Installs h5wasm-plugins' LZF filter and proves it on a known h5py-written file.
 *
 * A plugin that failed to load makes HDF5 return garbage rather than an
 * error, so LZF is only accepted after it decoded this test vector correctly.
 * (h5wasm cannot write LZF itself: the plugin's encoder fails on close.)
 */
async function installLzf(
  api: H5wasmApi,
  module: H5ModuleLike,
): Promise<{ lzf: boolean; lzfReason: string }> {
  let dir: string | undefined
  try {
    const plugins = await import('h5wasm-plugins')
    plugins.install_local_plugins(module)
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coral-lzf-'))
    const file = path.join(dir, 'lzf-self-test.h5')
    fs.writeFileSync(file, zlib.inflateSync(Buffer.from(LZF_TEST_VECTOR, 'base64')))
    const reader = new api.File(file, 'r')
    try {
      const dataset = reader.get('x') as H5DatasetLike
      if (!dataset.filters.some((f) => f.id === FILTER_LZF)) {
        return { lzf: false, lzfReason: 'the LZF self-test file has no LZF filter' }
      }
      const bytes = readRaw(module, dataset)
      const same = bytes.length === 1024 && bytes.every((b, i) => b === i % 61)
      return same
        ? { lzf: true, lzfReason: '' }
        : { lzf: false, lzfReason: 'the LZF plugin failed its self-test' }
    } finally {
      reader.close()
    }
  } catch (error) {
    return { lzf: false, lzfReason: `the LZF plugin is unavailable (${errorText(error)})` }
  } finally {
    if (dir) {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

/**
 * A 2 KB HDF5 file written by h5py 3.7 (zlib-deflated, base64): dataset `x`,
 * uint8[1024] holding `i % 61`, one LZF-compressed chunk.
 */
const LZF_TEST_VECTOR =
  'eNrr9HBx4+WS4mLm4GCAgf9Q4A8VMoCKb9x7do6/h0sQk0LiScFsZFzBJISsEQa4mBgYGRjYeBiAFGPFYZj5HgxUA6mTRRPATgJawCjCwMDEyMjIwAKVhNLMPAyMAgwgN4AABwMr0FXMzNxSDIxAXbUsQHFmhpyqNLByVkaIPg45IMUEBAwsQJP9ka2EhVMfwyADy3IrNjOMglEwCkbBKBgFxAB5YC3IzMLKxs7BycXNw8vHLyAoJCwiKiYuISklLSMrJy+roKikrKKqpq6hqaWto6unb2BoZGxiamZuYWllbcPw4L/Nw/8Gj/6rPJ4vwainDwAu9D7r'

/** A dataset read as raw little-endian C-order bytes. */
export interface RawDataset {
  /** Element bytes, little-endian, C order. */
  bytes: Uint8Array
  shape: number[]
  /** Element type as HDF5 describes it. */
  h5Type: 'int' | 'uint' | 'float' | 'enum'
  /** Bytes per element. */
  itemSize: number
}

/** What the Python-Coral reader needs of an open HDF5 file (see `H5Reader`, guarded-h5.ts). */
export interface H5Source {
  keys(group: string): string[]
  has(datasetPath: string): boolean
  rootAttributes(): Record<string, unknown>
  attributes(datasetPath: string): Record<string, unknown>
  filters(datasetPath: string): H5Filter[]
  read(datasetPath: string): RawDataset
  close(): void | Promise<void>
}

/**
 * An open read-only HDF5 file, read in this thread. Call `close()` when done.
 * A damaged file can send the HDF5 library into an endless loop: readers of
 * untrusted files use `GuardedH5Reader` (guarded-h5.ts), which runs this
 * class in a worker thread under a time limit.
 */
export class H5Reader implements H5Source {
  /**
   * True once a call on this file failed inside the HDF5 library. h5wasm's
   * C++ wrappers then skip closing what they had opened (a dataset, an
   * attribute), so HDF5 keeps the file open after `close()`, with its cached
   * metadata: a later open of the same file, even rewritten with other
   * bytes, would be served that stale metadata (docs/RELIABILITY.md, R14).
   * The worker thread ends after such a file (h5-worker.ts).
   */
  libraryFailed = false

  private constructor(
    private readonly loaded: Loaded,
    private readonly file: H5FileLike,
    /** Path of the file on the host. */
    readonly filePath: string,
  ) {}

  /** Opens `filePath` read-only; a file HDF5 cannot open raises `MalformedFile`. */
  static async open(filePath: string): Promise<H5Reader> {
    const loaded = await loadH5wasm()
    try {
      fs.accessSync(filePath, fs.constants.R_OK)
    } catch (error) {
      throw new CoralError(
        'MalformedFile',
        `${filePath}: cannot be read`,
        { path: filePath },
        { cause: error },
      )
    }
    let file: H5FileLike
    try {
      file = new loaded.api.File(filePath, 'r')
    } catch (error) {
      // HDF5 closes a file it failed to open, so only a trap matters here.
      rethrowTrap(error)
      throw new CoralError(
        'MalformedFile',
        `${filePath}: not a readable HDF5 file (${errorText(error)})`,
        { path: filePath },
        { cause: error },
      )
    }
    return new H5Reader(loaded, file, filePath)
  }

  /** Names of the members of a group, or an empty list when the group is absent. */
  keys(group: string): string[] {
    const entry = this.file.get(group)
    if (!(entry instanceof this.loaded.api.Group)) {
      return []
    }
    return entry.keys()
  }

  /** True when `datasetPath` names a dataset. */
  has(datasetPath: string): boolean {
    return this.file.get(datasetPath) instanceof this.loaded.api.Dataset
  }

  /** The root group's attributes as plain values. */
  rootAttributes(): Record<string, unknown> {
    return this.readAttributes(this.file)
  }

  /** A dataset's attributes as plain values (bigint arrays become number arrays). */
  attributes(datasetPath: string): Record<string, unknown> {
    return this.readAttributes(this.dataset(datasetPath))
  }

  /** The filter pipeline of a dataset. */
  filters(datasetPath: string): H5Filter[] {
    return this.dataset(datasetPath).filters
  }

  /** Bytes a dataset's shape and element size declare (what `read` would return). */
  declaredBytes(datasetPath: string): number {
    const meta = this.dataset(datasetPath).metadata
    return meta.size * meta.total_size
  }

  /**
   * Reads a dataset's raw bytes after checking its filters.
   *
   * Throws `NotFound` when absent, `Unsupported` for a filter we cannot decode
   * or a non-numeric type, `MalformedFile` when HDF5 fails to read it.
   */
  read(datasetPath: string): RawDataset {
    const dataset = this.dataset(datasetPath)
    checkFilters(dataset.filters, datasetPath, this.loaded)
    const meta = dataset.metadata
    let h5Type: RawDataset['h5Type']
    if (meta.vlen || meta.shape === null) {
      throw new CoralError('Unsupported', `${datasetPath}: not a numeric array dataset`, {
        dataset: datasetPath,
      })
    }
    if (meta.type === 0) {
      h5Type = meta.signed ? 'int' : 'uint'
    } else if (meta.type === 1) {
      h5Type = 'float'
    } else if (meta.type === 8 && meta.size === 1) {
      h5Type = 'enum'
    } else {
      throw new CoralError(
        'Unsupported',
        `${datasetPath}: HDF5 type class ${meta.type} is not a tensor dtype`,
        {
          dataset: datasetPath,
        },
      )
    }
    let bytes: Uint8Array
    try {
      bytes = readRaw(this.loaded.module, dataset)
    } catch (error) {
      rethrowTrap(error)
      this.libraryFailed = true
      throw new CoralError(
        'MalformedFile',
        `${this.filePath}: dataset ${datasetPath} cannot be read (${errorText(error)})`,
        { path: this.filePath, dataset: datasetPath },
        { cause: error },
      )
    }
    if (!meta.littleEndian && meta.size > 1) {
      swapBytes(bytes, meta.size)
    }
    return { bytes, shape: [...meta.shape], h5Type, itemSize: meta.size }
  }

  /** Releases the HDF5 handle. */
  close(): void {
    this.file.close()
  }

  /** An entity's attributes; one h5wasm cannot decode is treated as absent. */
  private readAttributes(entity: {
    attrs: Record<string, { value: unknown }>
  }): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [name, attribute] of Object.entries(entity.attrs)) {
      try {
        out[name] = plainValue(attribute.value)
      } catch (error) {
        rethrowTrap(error)
        this.libraryFailed = true
      }
    }
    return out
  }

  private dataset(datasetPath: string): H5DatasetLike {
    const entry = this.file.get(datasetPath)
    if (!(entry instanceof this.loaded.api.Dataset)) {
      throw new CoralError('NotFound', `${this.filePath}: no dataset ${datasetPath}`, {
        path: this.filePath,
        dataset: datasetPath,
      })
    }
    return entry
  }
}

/** Refuses any filter pipeline that could decode to wrong bytes. */
function checkFilters(filters: H5Filter[], datasetPath: string, loaded: Loaded): void {
  for (const filter of filters) {
    if (
      filter.id === FILTER_DEFLATE ||
      filter.id === FILTER_SHUFFLE ||
      filter.id === FILTER_FLETCHER32
    ) {
      continue
    }
    if (filter.id === FILTER_LZF) {
      if (loaded.lzf) {
        continue
      }
      throw new CoralError(
        'Unsupported',
        `${datasetPath}: LZF-compressed, and ${loaded.lzfReason}`,
        {
          dataset: datasetPath,
          filter: filter.id,
        },
      )
    }
    const label = filter.name ? `${filter.name} (id ${filter.id})` : `id ${filter.id}`
    throw new CoralError('Unsupported', `${datasetPath}: HDF5 filter ${label} is not supported`, {
      dataset: datasetPath,
      filter: filter.id,
    })
  }
}

/** Copies a whole dataset's bytes out of the WASM heap. */
function readRaw(module: H5ModuleLike, dataset: H5DatasetLike): Uint8Array {
  const meta = dataset.metadata
  const nbytes = meta.size * meta.total_size
  // TODO: read tensors over ~1 GiB in row blocks; remove once the WASM heap limit (2 GiB) is lifted
  const ptr = module._malloc(Math.max(nbytes, 1))
  if (!ptr) {
    throw new CoralError(
      'Unsupported',
      `${dataset.path}: ${nbytes} bytes do not fit in the HDF5 reader's memory`,
    )
  }
  try {
    const status = module.get_dataset_data(
      dataset.file_id,
      dataset.path,
      null,
      null,
      null,
      BigInt(ptr),
    )
    if (typeof status === 'number' && status < 0) {
      throw new Error(`HDF5 read status ${status}`)
    }
    return module.HEAPU8.slice(ptr, ptr + nbytes)
  } finally {
    module._free(ptr)
  }
}

function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return Number(value)
  }
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) {
    return Array.from(value, (v) => Number(v))
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>)
  }
  return value
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i + size <= bytes.length; i += size) {
    bytes.subarray(i, i + size).reverse()
  }
}

/** `WebAssembly.RuntimeError` (Node's type declarations leave out the constructor). */
const WasmRuntimeError = (
  globalThis as unknown as { WebAssembly: { RuntimeError: ErrorConstructor } }
).WebAssembly.RuntimeError

/**
 * Lets a WebAssembly trap through unchanged: a trap or an abort inside the
 * HDF5 library ("memory access out of bounds", "Aborted(...)") leaves its
 * memory inconsistent, so it must end the reader thread (guarded-h5.ts, R11)
 * rather than become an ordinary error the thread carries on after.
 */
function rethrowTrap(error: unknown): void {
  if (error instanceof WasmRuntimeError) {
    throw error
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? 'error') : String(error)
}
