import { NameRegistry, Parser } from 'pickleparser'

import { CoralError, throwIfAborted } from '../errors.js'
import { itemSize, type DType } from '../tensor/dtype.js'
import { formatShape, type Tensor, type TensorInfo } from '../tensor/tensor.js'
import { FileSource } from './file-source.js'
import { checkTensorName, malformed, quote, unsupported } from './format-errors.js'
import { MAX_RANK } from './safetensors.js'
import { gatherStrided, stridedExtent, swapBytes } from './strided.js'
import { openZip, readStoredRange, readZipEntry, type ZipArchive, type ZipEntry } from './zip.js'

/** Largest `data.pkl` accepted, in bytes. */
export const MAX_PICKLE_BYTES = 256 << 20

/** Most containers the state-dict walk visits (guards against memo-sharing blow-ups). */
const MAX_WALK_NODES = 1_000_000
const MAX_DEPTH = 64

// The only storage classes the pickle may name, with the dtype each holds.
const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
}

/** A storage named by the pickle: raw elements in `<prefix>data/<key>`. */
class StorageRef {
  constructor(
    readonly dtype: DType,
    readonly key: string,
    readonly numel: number,
    readonly entry: ZipEntry,
  ) {}
}

/** A tensor rebuilt from the pickle: a strided view of a storage; holds no data. */
class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly strides: number[],
  ) {}
}

/** A PyTorch checkpoint whose pickle has been decoded (no tensor data read yet). */
interface TorchCheckpoint {
  readonly archive: ZipArchive
  readonly tensors: [string, TensorRef][]
  readonly bigEndian: boolean
}

/**
 * Streams the tensors of a PyTorch `.pt`/`.pth` zip checkpoint.
 *
 * The pickle is decoded with a whitelist: only tensor and parameter rebuilds,
 * `collections.OrderedDict` and the `torch.*Storage` classes may appear; any
 * other global raises `MalformedFile` ("refuses to run pickle global X") and
 * no code ever runs. Nested dicts are flattened with `.`-joined names and
 * non-tensor leaves are ignored. Storage offsets and strides are honoured:
 * non-contiguous views are gathered into contiguous C order.
 */
export async function* readPytorch(
  file: string,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<{ name: string; tensor: Tensor }> {
  const source = await FileSource.open(file)
  try {
    const checkpoint = await openCheckpoint(source)
    for (const [name, ref] of checkpoint.tensors) {
      throwIfAborted(options.signal)
      yield { name, tensor: await readTensor(checkpoint, name, ref) }
    }
  } finally {
    await source.close()
  }
}

/** Lists the tensors of a PyTorch checkpoint without reading their data. */
export async function listPytorch(file: string): Promise<{ name: string; info: TensorInfo }[]> {
  const source = await FileSource.open(file)
  try {
    const checkpoint = await openCheckpoint(source)
    return checkpoint.tensors.map(([name, ref]) => ({
      name,
      info: {
        dtype: ref.storage.dtype,
        shape: ref.shape,
        byteLength: ref.shape.reduce((a, b) => a * b, 1) * itemSize(ref.storage.dtype),
      },
    }))
  } finally {
    await source.close()
  }
}

async function openCheckpoint(source: FileSource): Promise<TorchCheckpoint> {
  const { file } = source

  // Legacy (pre-1.6) checkpoints are a bare pickle or a tar, not a zip.
  const head = await source.read(0, Math.min(4, source.size), 'file header')
  if (head[0] === 0x80 || (head[0] !== 0x50 && source.size > 0)) {
    throw unsupported(file, 'is not a zip-based PyTorch checkpoint (legacy torch.save format)')
  }
  const archive = await openZip(source)

  // Find <prefix>data.pkl; the prefix is "archive/" or the saved file's stem.
  const pickles = archive.entries.filter((e) => /^([^/]+\/)?data\.pkl$/.test(e.name))
  if (pickles.length !== 1) {
    throw malformed(file, `holds ${pickles.length} data.pkl records, expected exactly one`)
  }
  const pkl = pickles[0]!
  const prefix = pkl.name.slice(0, -'data.pkl'.length)
  if (pkl.size > MAX_PICKLE_BYTES) {
    throw malformed(file, `data.pkl is ${pkl.size} bytes, over the ${MAX_PICKLE_BYTES} limit`)
  }
  const pickle = await readZipEntry(archive, pkl)

  // Byte order (absent in older files, which are little-endian).
  let bigEndian = false
  const order = archive.byName.get(`${prefix}byteorder`)
  if (order !== undefined && order.size <= 16) {
    const text = Buffer.from(await readZipEntry(archive, order)).toString('latin1')
    if (text === 'big') {
      bigEndian = true
    } else if (text !== 'little') {
      throw malformed(file, `byteorder record says ${quote(text)}`)
    }
  }

  const root = unpickle(file, pickle, archive, prefix)
  return { archive, tensors: flatten(file, root), bigEndian }
}

function unpickle(file: string, pickle: Uint8Array, archive: ZipArchive, prefix: string): unknown {
  // A fresh registry per file: the parser may set properties on the objects
  // it resolves, so nothing it sees may be shared between files.
  const storageTypes = new Map<unknown, DType>()
  const storages = new Map<string, StorageRef>()
  class WhitelistRegistry extends NameRegistry {
    override onMissingName(module: string, name: string): never {
      throw malformed(file, `refuses to run pickle global ${module}.${name}`, {
        global: `${module}.${name}`,
      })
    }
  }
  const registry = new WhitelistRegistry()
  for (const [cls, dtype] of Object.entries(STORAGE_DTYPES)) {
    const marker = function storageClass(): never {
      throw malformed(file, `data.pkl calls storage class ${cls} directly`)
    }
    storageTypes.set(marker, dtype)
    registry.register('torch', cls, marker)
  }
  registry.register('torch._utils', '_rebuild_tensor_v2', (...args: unknown[]) =>
    rebuildTensor(file, args),
  )
  registry.register('torch._utils', '_rebuild_parameter', (...args: unknown[]) => {
    if (!(args[0] instanceof TensorRef)) {
      throw malformed(file, '_rebuild_parameter was given something other than a tensor')
    }
    return args[0]
  })
  registry.register('collections', 'OrderedDict', (...args: unknown[]) => {
    if (args.length !== 0) {
      throw malformed(file, 'OrderedDict was called with arguments')
    }
    return new Map()
  })

  const persistentResolver = {
    resolve(pid: unknown): StorageRef {
      if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage') {
        throw malformed(file, 'data.pkl has a persistent id that is not a storage')
      }
      const [, type, key, , numel] = pid as [unknown, unknown, unknown, unknown, unknown]
      const dtype = storageTypes.get(type)
      if (dtype === undefined) {
        throw malformed(file, 'data.pkl names a storage without a known storage class')
      }
      if (typeof key !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(key)) {
        throw malformed(file, 'data.pkl names a storage with an invalid key')
      }
      if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
        throw malformed(file, `storage ${quote(key)} has an invalid element count`)
      }
      const known = storages.get(key)
      if (known !== undefined) {
        if (known.dtype !== dtype || known.numel !== numel) {
          throw malformed(file, `storage ${quote(key)} is described two different ways`)
        }
        return known
      }
      const entry = archive.byName.get(`${prefix}data/${key}`)
      if (entry === undefined) {
        throw malformed(file, `storage ${quote(key)} has no ${prefix}data/${key} record`)
      }
      const needed = numel * itemSize(dtype)
      if (entry.size < needed) {
        throw malformed(
          file,
          `storage ${quote(key)} claims ${numel} ${dtype} elements (${needed} bytes) but its record has ${entry.size} bytes`,
        )
      }
      const ref = new StorageRef(dtype, key, numel, entry)
      storages.set(key, ref)
      return ref
    },
  }

  const parser = new Parser({
    nameResolver: registry,
    persistentResolver,
    extensionResolver: {
      resolve: (code: number) => {
        throw malformed(file, `refuses to run pickle extension code ${code}`)
      },
    },
    unpicklingTypeOfDictionary: 'Map',
    unpicklingTypeOfSet: 'array',
  })
  try {
    return parser.parse(pickle)
  } catch (error) {
    if (error instanceof CoralError) throw error
    throw malformed(file, `data.pkl is not a valid pickle (${errorText(error)})`, {}, error)
  }
}

function rebuildTensor(file: string, args: unknown[]): TensorRef {
  const [storage, offset, shape, strides] = args
  if (!(storage instanceof StorageRef)) {
    throw malformed(file, '_rebuild_tensor_v2 was given no storage')
  }
  const label = `storage ${quote(storage.key)}`
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw malformed(file, `${label}: tensor has an invalid storage offset`)
  }
  if (
    !isIntList(shape) ||
    !isIntList(strides) ||
    shape.length !== strides.length ||
    shape.length > MAX_RANK
  ) {
    throw malformed(
      file,
      `${label}: tensor size and stride are not matching lists of non-negative integers`,
    )
  }
  const extent = stridedExtent(shape, strides, offset)
  const count = shape.reduce((a, b) => a * b, 1)
  if (extent === undefined || !Number.isSafeInteger(count * itemSize(storage.dtype))) {
    throw malformed(file, `${label}: tensor ${formatShape(shape)} is too large`)
  }
  if (extent > storage.numel) {
    throw malformed(
      file,
      `${label}: tensor ${formatShape(shape)} (offset ${offset}, strides ${formatShape(strides)}) reaches element ${extent} of a ${storage.numel}-element storage`,
    )
  }
  return new TensorRef(storage, offset, [...shape], [...strides])
}

// Flattens nested dicts into `.`-joined names; anything that is not a dict or
// a tensor (lists, numbers, strings) is ignored.
function flatten(file: string, root: unknown): [string, TensorRef][] {
  const out: [string, TensorRef][] = []
  const names = new Set<string>()
  const onPath = new Set<object>()
  let visits = 0
  const add = (name: string, ref: TensorRef): void => {
    checkTensorName(file, name)
    if (names.has(name)) {
      throw malformed(file, `tensor name ${quote(name)} appears twice after flattening`)
    }
    names.add(name)
    out.push([name, ref])
  }
  const walk = (value: unknown, prefix: string, depth: number): void => {
    if (value instanceof TensorRef) {
      add(prefix, value)
      return
    }
    if (!(value instanceof Map)) {
      return
    }
    if (++visits > MAX_WALK_NODES || depth > MAX_DEPTH) {
      throw malformed(file, 'data.pkl nests or shares dicts too much to flatten')
    }
    if (onPath.has(value)) {
      throw malformed(file, 'data.pkl holds a dict that contains itself')
    }
    onPath.add(value)
    for (const [key, child] of value) {
      if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'bigint') {
        continue
      }
      walk(child, prefix === '' ? String(key) : `${prefix}.${String(key)}`, depth + 1)
    }
    onPath.delete(value)
  }
  if (root instanceof TensorRef) {
    add('tensor', root)
  } else if (root instanceof Map) {
    walk(root, '', 0)
  } else {
    throw malformed(file, 'data.pkl does not hold a dict of tensors')
  }
  return out
}

async function readTensor(
  checkpoint: TorchCheckpoint,
  name: string,
  ref: TensorRef,
): Promise<Tensor> {
  const { storage, shape, strides, offset } = ref
  const size = itemSize(storage.dtype)
  const extent = stridedExtent(shape, strides, offset)!
  const count = shape.reduce((a, b) => a * b, 1)
  if (count === 0) {
    return { dtype: storage.dtype, shape, data: new Uint8Array(0) }
  }

  // Read the elements the view spans: the whole record (CRC-checked) unless
  // the view needs only a small part of a large stored record.
  const { archive } = checkpoint
  const spanBytes = (extent - offset) * size
  let span: Uint8Array
  if (storage.entry.method === 0 && spanBytes * 2 < storage.entry.size) {
    span = await readStoredRange(archive, storage.entry, offset * size, spanBytes)
  } else {
    const whole = await readZipEntry(archive, storage.entry)
    span = whole.subarray(offset * size, extent * size)
  }

  // Gather into C order
  const data =
    isContiguous(shape, strides) && span.length === count * size
      ? span.slice()
      : gatherStrided(span, size, shape, strides, 0)
  if (checkpoint.bigEndian) {
    swapBytes(data, size)
  }
  if (data.length !== count * size) {
    throw new CoralError(
      'Internal',
      `${archive.source.file}: tensor ${quote(name)} gathered ${data.length} bytes`,
    )
  }
  return { dtype: storage.dtype, shape, data }
}

function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== expected) {
      return false
    }
    expected *= shape[d]!
  }
  return true
}

function isIntList(value: unknown): value is number[] {
  return (
    Array.isArray(value) &&
    value.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)
  )
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.length > 120 ? `${text.slice(0, 120)}...` : text
}
