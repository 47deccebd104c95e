/**
 * Reads a repository written by the Python `coral-ml` package (both dialects).
 *
 * Parses HEAD, branches, commits, versions and config from `.coral/`, opens
 * `objects/weights.h5` read-only, and reads each committed tensor version on
 * demand with an honest verdict. How each version is recovered (see README.md):
 * - A commit records the tensor's weight hash `H` and maybe a delta. When the
 *   delta's reference is not `H` and `/weights/H` exists, `H` is the committed
 *   tensor stored in full (a commit-time parent delta, or a stale delta from
 *   coral-ml's in-process cache that its own reader wrongly prefers): we read
 *   `/weights/H` and check it hashes to `H`.
 * - When the delta's reference is `H` itself, the tensor was stored only as
 *   `reference + delta`; we reconstruct it exactly as numpy does. Its true hash
 *   is recorded nowhere, so it is 'unverifiable'.
 * - Tensors under `min_weight_size` (512 bytes) that share their hash with an
 *   earlier tensor may have been silently replaced by it (§2.1), so even a
 *   matching hash does not prove them: 'unverifiable'.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

import type { ImportedTensor, Progress } from '../api/contract.js'
import { CoralError, throwIfAborted } from '../errors.js'
import { byteLength, itemSize } from '../tensor/dtype.js'
import type { DType } from '../tensor/dtype.js'
import type { Tensor } from '../tensor/tensor.js'
import { decodeDelta } from './decode-delta.js'
import { GuardedH5Reader } from './guarded-h5.js'
import { NUMPY_DTYPES, type H5Source } from './h5-store.js'
import type { RawDataset } from './h5-store.js'
import { pythonWeightHash } from './weight-hash.js'

/** The two on-disk dialects (coral-py-format §1). */
export type PythonCoralDialect = 'clustering-era' | 'v1.1'

/** One commit as the Python Coral recorded it. */
export interface PythonCoralCommit {
  /** The Python commit hash (16 or 32 hex digits). */
  hash: string
  parents: string[]
  message: string
  author: string
  email: string
  /** Python `isoformat()` local time, without an offset (none is recorded). */
  timestamp: string
  tags: string[]
  /** Tensor name to weight hash, only for the tensors staged for this commit. */
  weightHashes: Record<string, string>
  /** Tensor name to delta hash. */
  deltaWeights: Record<string, string>
  /** Names recorded in this commit (not inherited), sorted. */
  recordedNames: string[]
  /** True when the commit hash recomputes from the file's content. */
  hashVerified: boolean
}

/** A branch file from `refs/heads/`. */
export interface PythonCoralBranch {
  name: string
  /** The commit it points at, or null before the first commit. */
  commit: string | null
}

/** A named version (`coral-ml tag`), i.e. a tag. */
export interface PythonCoralTag {
  name: string
  commit: string
  description: string
}

/** The outcome of reading one tensor version. */
export interface ReadTensorResult extends ImportedTensor {
  /** The bytes as recovered; absent when the status is 'unreadable'. */
  tensor?: Tensor
  /**
   * Identifies where the bytes came from (same key, same bytes), so a caller
   * can skip re-reading: `w:<hash>` for a full weight, `d:<delta hash>` for a
   * reconstruction.
   */
  sourceKey?: string
}

/** An opened Python Coral repository. Call `close()` when done. */
export interface PythonCoralRepository {
  /** The `.coral` folder. */
  coralDir: string
  dialect: PythonCoralDialect
  /** What the dialect was decided from. */
  dialectSignals: string[]
  /** `config.json` as parsed (empty when absent). */
  config: Record<string, unknown>
  /** Commits in topological order, parents first (ties by time, then hash). */
  commits: PythonCoralCommit[]
  branches: PythonCoralBranch[]
  tags: PythonCoralTag[]
  /** Where HEAD points, or null when HEAD is missing or dangling. */
  head: { branch: string } | { commit: string } | null
  /** Problems that did not stop the read (one line each). */
  warnings: string[]
  /** Tensor size (bytes) below which coral-ml may replace a tensor by a similar one. */
  minWeightSize: number
  /** Reads one recorded tensor version; never throws except `Cancelled`. */
  readTensor(commit: string, name: string): Promise<ReadTensorResult>
  /** Closes `weights.h5`; settles once the reader thread is released (guarded-h5.ts). */
  close(): Promise<void>
}

/** Options of `readPythonCoralRepository`. */
/** Where a weight hash first appears in commit-time order. */
interface FirstSeen {
  commit: string
  names: string[]
  /** No commit of the repository fails its hash check. */
  historyIntact: boolean
}

export interface ReadOptions {
  signal?: AbortSignal
  onProgress?: (progress: Progress) => void
}

/**
 * Opens a Python Coral repository at `repoPath` (the folder holding `.coral`, or `.coral` itself).
 *
 * Throws `NotARepository` when there is no `.coral`, `MalformedFile` for a
 * corrupt commit, branch or HEAD, a broken parent link, or a missing or
 * unreadable `weights.h5` while commits reference tensors.
 */
export async function readPythonCoralRepository(
  repoPath: string,
  options: ReadOptions = {},
): Promise<PythonCoralRepository> {
  const started = Date.now()
  const coralDir = path.basename(repoPath) === '.coral' ? repoPath : path.join(repoPath, '.coral')
  if (!isDirectory(coralDir)) {
    throw new CoralError('NotARepository', `${repoPath}: no .coral folder`, { path: repoPath })
  }
  const warnings: string[] = []

  // Config
  const config = readOptionalJson(path.join(coralDir, 'config.json'), warnings) ?? {}
  const tomlPath = path.join(coralDir, 'coral.toml')
  const toml = fs.existsSync(tomlPath) ? fs.readFileSync(tomlPath, 'utf8') : null
  const minWeightSize = readMinWeightSize(toml)

  // Commits
  const commitsDir = path.join(coralDir, 'objects', 'commits')
  const commitFiles = isDirectory(commitsDir)
    ? fs
        .readdirSync(commitsDir)
        .filter((f) => f.endsWith('.json') && !f.endsWith('_state.json'))
        .sort()
    : []
  const byHash = new Map<string, PythonCoralCommit>()
  let sawClusteredKey = false
  for (const [index, file] of commitFiles.entries()) {
    throwIfAborted(options.signal)
    const filePath = path.join(commitsDir, file)
    const raw = readJson(filePath)
    if ('clustered_weights' in raw) {
      sawClusteredKey = true
    }
    const commit = parseCommit(raw, filePath)
    if (`${commit.hash}.json` !== file) {
      warnings.push(`${file}: holds commit ${commit.hash}, not the one its name says`)
    }
    if (!commit.hashVerified) {
      warnings.push(`commit ${commit.hash}: its hash does not recompute from its content`)
    }
    if (byHash.has(commit.hash)) {
      throw new CoralError('MalformedFile', `${filePath}: duplicate commit ${commit.hash}`, {
        path: filePath,
      })
    }
    byHash.set(commit.hash, commit)
    options.onProgress?.({
      phase: 'scan',
      done: index + 1,
      total: commitFiles.length,
      bytesIn: 0,
      bytesOut: 0,
      elapsedMs: Date.now() - started,
    })
  }
  const commits = topologicalOrder(byHash)

  // Refs, HEAD and versions
  const branches = readBranches(coralDir, byHash)
  const head = readHead(coralDir, byHash, branches, warnings)
  const tags = readVersions(coralDir, byHash, warnings)

  // Weight store
  const weightsPath = path.join(coralDir, 'objects', 'weights.h5')
  const referencesTensors = commits.some((c) => c.recordedNames.length > 0)
  let store: H5Source | null = null
  if (referencesTensors) {
    if (!fs.existsSync(weightsPath)) {
      throw new CoralError(
        'MalformedFile',
        `${weightsPath}: missing, but commits reference tensors`,
        {
          path: weightsPath,
        },
      )
    }
    // Untrusted file: every HDF5 call runs under a time limit (guarded-h5.ts).
    store = await GuardedH5Reader.open(weightsPath)
  }

  // The store is open from here on: close it if anything below fails, or
  // HDF5 would keep it open in the reader thread.
  try {
    // Dialect
    const signals: string[] = []
    const lengths = new Set(commits.map((c) => c.hash.length))
    let votes = 0
    if (lengths.has(16)) {
      signals.push('16-hex commit hashes')
      votes -= 10
    }
    if (lengths.has(32)) {
      signals.push('32-hex commit hashes')
      votes += 10
    }
    if (sawClusteredKey) {
      signals.push('clustered_weights key in commits')
      votes -= 3
    }
    if (toml !== null) {
      signals.push('coral.toml present')
      votes += 1
    }
    const core = (config as { core?: Record<string, unknown> }).core
    if (core && typeof core === 'object' && 'delta_type' in core) {
      signals.push('config.json core.delta_type present')
      votes += 1
    }
    if (store) {
      const rootAttrs = store.rootAttributes()
      if (rootAttrs.version === '2.0') {
        signals.push('weights.h5 version attribute 2.0')
        votes -= 1
      }
      if (store.keys('/').includes('clustered_weights')) {
        signals.push('weights.h5 has clustering groups')
        votes -= 1
      }
    }
    if (lengths.size > 1) {
      warnings.push('commit hashes of both 16 and 32 hex digits: a mixed repository')
    }
    const dialect: PythonCoralDialect = votes < 0 ? 'clustering-era' : 'v1.1'

    // First appearance of each weight hash, in commit-time order, for the small-tensor check
    const chronological = [...commits].sort(compareByTime)
    // A first appearance proves nothing once any commit's record may have been
    // altered (its hash does not recompute): that commit may have held the hash
    // first, and an altered timestamp moves it in this order (docs/RELIABILITY.md, R10).
    const firstSeen = new Map<string, FirstSeen>()
    const historyIntact = commits.every((c) => c.hashVerified)
    for (const commit of chronological) {
      const namesByHash = new Map<string, string[]>()
      for (const name of commit.recordedNames) {
        const hash = commit.weightHashes[name] as string
        namesByHash.set(hash, [...(namesByHash.get(hash) ?? []), name])
      }
      for (const [hash, names] of namesByHash) {
        if (!firstSeen.has(hash)) {
          firstSeen.set(hash, { commit: commit.hash, names, historyIntact })
        }
      }
    }

    const reader = new TensorReader(store, byHash, firstSeen, minWeightSize)
    return {
      coralDir,
      dialect,
      dialectSignals: signals,
      config,
      commits,
      branches,
      tags,
      head,
      warnings,
      minWeightSize,
      readTensor: (commit, name) => reader.read(commit, name, options.signal),
      close: async () => {
        await store?.close()
      },
    }
  } catch (error) {
    await Promise.resolve(store?.close()).catch(() => undefined)
    throw error
  }
}

/** A full weight read from `/weights/<hash>`. */
interface FullWeight {
  tensor: Tensor
  numpyDtype: string
  /** The weight hash its bytes compute to. */
  computedHash: string
  /** The dataset's `name` attribute (first tensor name stored under this hash). */
  storedName: string | null
}

/** Reads tensor versions and decides their status; caches a few recent full weights. */
class TensorReader {
  private readonly cache = new Map<string, FullWeight>()
  private cachedBytes = 0

  constructor(
    private readonly store: H5Source | null,
    private readonly commits: Map<string, PythonCoralCommit>,
    private readonly firstSeen: Map<string, FirstSeen>,
    private readonly minWeightSize: number,
  ) {}

  async read(commitHash: string, name: string, signal?: AbortSignal): Promise<ReadTensorResult> {
    throwIfAborted(signal)
    const base = { commit: commitHash, name }
    try {
      const result = await this.readUnchecked(commitHash, name)
      // A commit whose hash does not recompute may have had records altered
      // (a delta record removed makes a delta-encoded tensor look like its
      // reference, stored in full under the recorded hash): nothing in it is
      // proven (docs/RELIABILITY.md, R10).
      if (result.status === 'verified' && this.commits.get(commitHash)?.hashVerified === false) {
        return {
          ...result,
          status: 'unverifiable',
          detail: `${result.detail}; but commit ${commitHash}'s hash does not recompute from its content, so its records may have been altered`,
        }
      }
      return result
    } catch (error) {
      if (error instanceof CoralError && error.code === 'Cancelled') {
        throw error
      }
      // The HDF5 reader gave up (a time limit, or its thread died): that says
      // nothing certain about this tensor, and every later read would fail the
      // same way; an import must stop rather than drop them (R9).
      if (error instanceof CoralError && error.data['readerGaveUp'] === true) {
        throw error
      }
      const message = error instanceof Error ? error.message : String(error)
      const prefix = error instanceof CoralError ? '' : 'internal error: '
      return { ...base, status: 'unreadable', detail: `${prefix}${message}` }
    }
  }

  private async readUnchecked(commitHash: string, name: string): Promise<ReadTensorResult> {
    const commit = this.commits.get(commitHash)
    const hash = commit?.weightHashes[name]
    if (!commit || hash === undefined) {
      throw new CoralError('NotFound', `commit ${commitHash} records no tensor ${name}`)
    }
    const base = { commit: commitHash, name }
    const deltaHash = commit.deltaWeights[name]
    const store = this.requireStore()

    if (deltaHash !== undefined) {
      const deltaPath = `/deltas/${deltaHash}`
      const hasDelta = store.has(deltaPath)
      const deltaAttrs = hasDelta ? store.attributes(deltaPath) : {}
      const referenceHash =
        typeof deltaAttrs.reference_hash === 'string' ? deltaAttrs.reference_hash : null
      const hasFull = store.has(`/weights/${hash}`)

      // The committed tensor itself is stored in full under its recorded hash.
      const deltaUnusable = !hasDelta
        ? `its delta ${deltaHash} is missing`
        : referenceHash === null
          ? `its delta ${deltaHash} names no reference`
          : undefined
      if (hasFull && deltaUnusable !== undefined) {
        // Without the delta's reference_hash nothing tells whether the recorded
        // hash is this tensor's own (a commit-time parent delta) or that of the
        // similar tensor it was encoded against, whose bytes hash to it too.
        const full = await this.readFull(hash)
        if (full.computedHash !== hash) {
          return this.fullResult(base, hash, full, deltaUnusable)
        }
        return {
          ...base,
          status: 'unverifiable',
          detail: `${deltaUnusable}; /weights/${hash} is this tensor only if coral-ml did not encode it against a similar tensor (whose hash it would then record), so it cannot be checked`,
          tensor: full.tensor,
          sourceKey: `w:${hash}`,
        }
      }
      if (hasFull && referenceHash !== hash) {
        const full = await this.readFull(hash)
        const why = `coral-ml's reader would apply delta ${deltaHash} to ${referenceHash} instead`
        return this.fullResult(base, hash, full, `stored in full under its recorded hash (${why})`)
      }
      if (!hasDelta) {
        return {
          ...base,
          status: 'unreadable',
          detail: `weights.h5 has neither /weights/${hash} nor ${deltaPath}`,
        }
      }
      if (referenceHash === null) {
        throw new CoralError('MalformedFile', `${deltaPath}: no reference_hash attribute`)
      }

      // Reconstruct reference + delta the way numpy does.
      const reference = await this.readFull(referenceHash)
      if (reference.computedHash !== referenceHash) {
        return {
          ...base,
          status: 'mismatched',
          detail: `its reference /weights/${referenceHash} hashes to ${reference.computedHash}`,
          tensor: await this.reconstruct(deltaPath, deltaAttrs, reference),
          sourceKey: `d:${deltaHash}`,
        }
      }
      const tensor = await this.reconstruct(deltaPath, deltaAttrs, reference)
      const type = String(deltaAttrs.delta_type)
      const computed = await pythonWeightHash(tensor.shape, numpyName(tensor.dtype), tensor.data)
      const sourceKey = `d:${deltaHash}`
      if (computed === hash) {
        return {
          ...base,
          status: 'verified',
          detail: `reference + ${type} delta; hashes to ${hash}`,
          tensor,
          sourceKey,
        }
      }
      if (referenceHash === hash) {
        return {
          ...base,
          status: 'unverifiable',
          detail: `reconstructed as reference ${referenceHash} + ${type} delta ${deltaHash}; coral-ml records only the reference's hash, so the result cannot be checked`,
          tensor,
          sourceKey,
        }
      }
      return {
        ...base,
        status: 'mismatched',
        detail: `recorded hash ${hash} is not stored and reference + ${type} delta hashes to ${computed}`,
        tensor,
        sourceKey,
      }
    }

    if (!store.has(`/weights/${hash}`)) {
      return { ...base, status: 'unreadable', detail: `weights.h5 has no dataset /weights/${hash}` }
    }
    const full = await this.readFull(hash)
    return this.fullResult(base, hash, full, 'stored in full')
  }

  private fullResult(
    base: { commit: string; name: string },
    hash: string,
    full: FullWeight,
    how: string,
  ): ReadTensorResult {
    const sourceKey = `w:${hash}`
    if (full.computedHash !== hash) {
      return {
        ...base,
        status: 'mismatched',
        detail: `${how}, but /weights/${hash} hashes to ${full.computedHash}`,
        tensor: full.tensor,
        sourceKey,
      }
    }
    if (
      full.tensor.data.byteLength < this.minWeightSize &&
      !this.isFirstOccurrence(base, hash, full)
    ) {
      return {
        ...base,
        status: 'unverifiable',
        detail:
          this.firstSeen.get(hash)?.historyIntact === false
            ? `${how}; under ${this.minWeightSize} bytes, and a commit of this repository fails its hash check, so whether coral-ml replaced it with an earlier similar tensor cannot be known`
            : `${how}; under ${this.minWeightSize} bytes and sharing hash ${hash} with an earlier tensor, so coral-ml may have replaced it with that similar tensor`,
        tensor: full.tensor,
        sourceKey,
      }
    }
    return {
      ...base,
      status: 'verified',
      detail: `${how}; hashes to ${hash}`,
      tensor: full.tensor,
      sourceKey,
    }
  }

  /** True when this (commit, name) is where the hash first appeared in the repository's history. */
  private isFirstOccurrence(
    base: { commit: string; name: string },
    hash: string,
    full: FullWeight,
  ): boolean {
    const first = this.firstSeen.get(hash)
    if (
      !first ||
      !first.historyIntact ||
      first.commit !== base.commit ||
      !first.names.includes(base.name)
    ) {
      return false
    }
    return first.names.length === 1 || full.storedName === base.name
  }

  private async reconstruct(
    deltaPath: string,
    attrs: Record<string, unknown>,
    reference: FullWeight,
  ): Promise<Tensor> {
    const store = this.requireStore()
    const raw = store.read(deltaPath)
    const originalName =
      typeof attrs.original_dtype === 'string' ? attrs.original_dtype : reference.numpyDtype
    const originalDtype = NUMPY_DTYPES[originalName]
    if (!originalDtype) {
      throw new CoralError(
        'Unsupported',
        `${deltaPath}: original dtype ${originalName} is not supported`,
      )
    }
    const shape = Array.isArray(attrs.original_shape)
      ? (attrs.original_shape as number[])
      : [...reference.tensor.shape]
    if (byteLength('U8', shape) !== byteLength('U8', reference.tensor.shape)) {
      throw new CoralError(
        'MalformedFile',
        `${deltaPath}: original shape (${shape.join(', ')}) does not fit its reference`,
      )
    }
    let metadata: Record<string, unknown> = {}
    if (typeof attrs.metadata === 'string' && attrs.metadata.trim() !== '') {
      try {
        metadata = JSON.parse(attrs.metadata) as Record<string, unknown>
      } catch {
        throw new CoralError('MalformedFile', `${deltaPath}: metadata attribute is not JSON`)
      }
    }
    const data = decodeDelta(
      {
        type: String(attrs.delta_type),
        payload: raw.bytes,
        payloadKind: raw.h5Type,
        payloadItemSize: raw.itemSize,
        metadata,
        label: deltaPath,
      },
      {
        dtype: reference.tensor.dtype,
        shape: reference.tensor.shape,
        bytes: reference.tensor.data,
      },
      originalDtype,
    )
    return { dtype: originalDtype, shape, data }
  }

  private async readFull(hash: string): Promise<FullWeight> {
    const cached = this.cache.get(hash)
    if (cached) {
      this.cache.delete(hash)
      this.cache.set(hash, cached)
      return cached
    }
    const store = this.requireStore()
    const datasetPath = `/weights/${hash}`
    if (!store.has(datasetPath)) {
      throw new CoralError('NotFound', `weights.h5 has no dataset ${datasetPath}`)
    }
    const attrs = store.attributes(datasetPath)
    const raw = store.read(datasetPath)
    const numpyDtype = typeof attrs.dtype === 'string' ? attrs.dtype : inferNumpyName(raw)
    const dtype = NUMPY_DTYPES[numpyDtype]
    if (!dtype) {
      throw new CoralError('Unsupported', `${datasetPath}: dtype ${numpyDtype} is not supported`)
    }
    if (itemSize(dtype) !== raw.itemSize || !kindMatches(dtype, raw)) {
      throw new CoralError(
        'MalformedFile',
        `${datasetPath}: dtype attribute ${numpyDtype} disagrees with the stored ${raw.h5Type}${raw.itemSize * 8}`,
      )
    }
    const tensor: Tensor = { dtype, shape: raw.shape, data: raw.bytes }
    const computedHash = await pythonWeightHash(raw.shape, numpyDtype, raw.bytes)
    const full: FullWeight = {
      tensor,
      numpyDtype,
      computedHash,
      storedName: typeof attrs.name === 'string' ? attrs.name : null,
    }
    this.remember(hash, full)
    return full
  }

  private remember(hash: string, full: FullWeight): void {
    const size = full.tensor.data.byteLength
    if (size > CACHE_BYTES / 4) {
      return
    }
    this.cache.set(hash, full)
    this.cachedBytes += size
    for (const [key, value] of this.cache) {
      if (this.cachedBytes <= CACHE_BYTES) {
        break
      }
      this.cache.delete(key)
      this.cachedBytes -= value.tensor.data.byteLength
    }
  }

  private requireStore(): H5Source {
    if (!this.store) {
      throw new CoralError('MalformedFile', 'objects/weights.h5 is missing')
    }
    return this.store
  }
}

/** Recently read full weights kept for reuse as delta references (bytes). */
const CACHE_BYTES = 256 * 1024 * 1024

function numpyName(dtype: DType): string {
  for (const [name, value] of Object.entries(NUMPY_DTYPES)) {
    if (value === dtype) {
      return name
    }
  }
  throw new CoralError('Unsupported', `dtype ${dtype} has no numpy name`)
}

function inferNumpyName(raw: RawDataset): string {
  if (raw.h5Type === 'float') {
    return `float${raw.itemSize * 8}`
  }
  if (raw.h5Type === 'enum') {
    return 'bool'
  }
  return `${raw.h5Type === 'uint' ? 'uint' : 'int'}${raw.itemSize * 8}`
}

function kindMatches(dtype: DType, raw: RawDataset): boolean {
  if (dtype === 'BOOL') {
    return raw.h5Type === 'enum' || raw.h5Type === 'uint' || raw.h5Type === 'int'
  }
  if (dtype.startsWith('F')) {
    return raw.h5Type === 'float'
  }
  return dtype === 'U8' ? raw.h5Type === 'uint' : raw.h5Type === 'int'
}

function parseCommit(raw: Record<string, unknown>, filePath: string): PythonCoralCommit {
  const bad = (problem: string): CoralError =>
    new CoralError('MalformedFile', `${filePath}: ${problem}`, { path: filePath })
  const hash = raw.commit_hash
  if (typeof hash !== 'string' || !/^[0-9a-f]{16}([0-9a-f]{16})?$/.test(hash)) {
    throw bad('commit_hash is missing or not 16/32 hex digits')
  }
  const parents = raw.parent_hashes
  if (!Array.isArray(parents) || !parents.every((p) => typeof p === 'string')) {
    throw bad('parent_hashes is not a list of hashes')
  }
  const weightHashes = stringMap(raw.weight_hashes)
  const deltaWeights = raw.delta_weights === undefined ? {} : stringMap(raw.delta_weights)
  if (!weightHashes || !deltaWeights) {
    throw bad('weight_hashes or delta_weights is not a map of names to hashes')
  }
  const meta = raw.metadata
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) {
    throw bad('metadata is missing')
  }
  const m = meta as Record<string, unknown>
  const text = (key: string): string => {
    const value = m[key]
    if (typeof value !== 'string') {
      throw bad(`metadata.${key} is missing`)
    }
    return value
  }
  const tags = Array.isArray(m.tags) ? m.tags.filter((t): t is string => typeof t === 'string') : []
  for (const name of Object.keys(deltaWeights)) {
    if (!(name in weightHashes)) {
      throw bad(`delta_weights names ${name}, which weight_hashes lacks`)
    }
  }
  const hashed = pythonJsonDumps({
    parent_hashes: parents,
    weight_hashes: raw.weight_hashes,
    metadata: meta,
    delta_weights: raw.delta_weights ?? {},
  })
  const recomputed = createHash('sha256').update(hashed, 'utf8').digest('hex').slice(0, hash.length)
  return {
    hash,
    parents: parents as string[],
    message: text('message'),
    author: text('author'),
    email: text('email'),
    timestamp: text('timestamp'),
    tags,
    weightHashes,
    deltaWeights,
    recordedNames: Object.keys(weightHashes).sort(),
    hashVerified: recomputed === hash,
  }
}

/**
 * Python's `json.dumps(value, sort_keys=True)` with default separators and ASCII escaping.
 *
 * TODO: floats print as JavaScript numbers, which differ from Python's repr
 * for values like 1.0 or 1e-05; remove once commit metadata floats matter.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) {
    return 'null'
  }
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value)
  }
  if (Array.isArray(value)) {
    return `[${value.map(pythonJsonDumps).join(', ')}]`
  }
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )
  return `{${entries.map(([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`).join(', ')}}`
}

function stringMap(value: unknown): Record<string, string> | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return null
  }
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      return null
    }
    out[k] = v
  }
  return out
}

function topologicalOrder(byHash: Map<string, PythonCoralCommit>): PythonCoralCommit[] {
  const children = new Map<string, string[]>()
  const pending = new Map<string, number>()
  for (const commit of byHash.values()) {
    for (const parent of commit.parents) {
      if (!byHash.has(parent)) {
        throw new CoralError(
          'MalformedFile',
          `commit ${commit.hash} names parent ${parent}, which has no commit file`,
          { commit: commit.hash, parent },
        )
      }
      children.set(parent, [...(children.get(parent) ?? []), commit.hash])
    }
    pending.set(commit.hash, new Set(commit.parents).size)
  }
  const ready = [...byHash.values()].filter((c) => pending.get(c.hash) === 0)
  const order: PythonCoralCommit[] = []
  while (ready.length > 0) {
    ready.sort(compareByTime)
    const next = ready.shift() as PythonCoralCommit
    order.push(next)
    for (const child of new Set(children.get(next.hash) ?? [])) {
      const left = (pending.get(child) as number) - 1
      pending.set(child, left)
      if (left === 0) {
        ready.push(byHash.get(child) as PythonCoralCommit)
      }
    }
  }
  if (order.length !== byHash.size) {
    throw new CoralError('MalformedFile', 'the commit graph has a cycle')
  }
  return order
}

function compareByTime(a: PythonCoralCommit, b: PythonCoralCommit): number {
  const ta = Date.parse(a.timestamp)
  const tb = Date.parse(b.timestamp)
  if (Number.isFinite(ta) && Number.isFinite(tb) && ta !== tb) {
    return ta - tb
  }
  return a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0
}

function readBranches(
  coralDir: string,
  byHash: Map<string, PythonCoralCommit>,
): PythonCoralBranch[] {
  const headsDir = path.join(coralDir, 'refs', 'heads')
  if (!isDirectory(headsDir)) {
    return []
  }
  const branches: PythonCoralBranch[] = []
  for (const file of fs.readdirSync(headsDir).sort()) {
    const filePath = path.join(headsDir, file)
    if (!fs.statSync(filePath).isFile()) {
      continue
    }
    const raw = readJson(filePath)
    const commit = raw.commit_hash
    if (commit !== null && commit !== undefined && typeof commit !== 'string') {
      throw new CoralError('MalformedFile', `${filePath}: commit_hash is not a string`, {
        path: filePath,
      })
    }
    if (typeof commit === 'string' && commit !== '' && !byHash.has(commit)) {
      throw new CoralError('MalformedFile', `${filePath}: points at missing commit ${commit}`, {
        path: filePath,
      })
    }
    branches.push({
      name: file,
      commit: typeof commit === 'string' && commit !== '' ? commit : null,
    })
  }
  return branches
}

function readHead(
  coralDir: string,
  byHash: Map<string, PythonCoralCommit>,
  branches: PythonCoralBranch[],
  warnings: string[],
): PythonCoralRepository['head'] {
  const headPath = path.join(coralDir, 'HEAD')
  if (!fs.existsSync(headPath)) {
    warnings.push('HEAD is missing')
    return null
  }
  const text = fs.readFileSync(headPath, 'utf8').trim()
  const match = /^ref: refs\/heads\/(.+)$/.exec(text)
  if (match) {
    const branch = match[1] as string
    if (!branches.some((b) => b.name === branch)) {
      warnings.push(`HEAD names branch ${branch}, which does not exist`)
      return null
    }
    return { branch }
  }
  if (byHash.has(text)) {
    return { commit: text }
  }
  throw new CoralError('MalformedFile', `${headPath}: neither a branch ref nor a known commit`, {
    path: headPath,
  })
}

function readVersions(
  coralDir: string,
  byHash: Map<string, PythonCoralCommit>,
  warnings: string[],
): PythonCoralTag[] {
  const versionsDir = path.join(coralDir, 'versions')
  if (!isDirectory(versionsDir)) {
    return []
  }
  const tags = new Map<string, PythonCoralTag>()
  for (const file of fs
    .readdirSync(versionsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    // Versions are never read back by coral-ml, so a damaged one is skipped, not fatal.
    const raw = readOptionalJson(path.join(versionsDir, file), warnings)
    if (!raw) {
      continue
    }
    const { name, commit_hash: commit, description } = raw as Record<string, unknown>
    if (typeof name !== 'string' || typeof commit !== 'string' || !byHash.has(commit)) {
      warnings.push(`versions/${file}: no name or an unknown commit; skipped`)
      continue
    }
    if (tags.has(name)) {
      warnings.push(`version ${name} is defined twice; using versions/${file}`)
    }
    tags.set(name, {
      name,
      commit,
      description: typeof description === 'string' ? description : '',
    })
  }
  return [...tags.values()]
}

function readMinWeightSize(toml: string | null): number {
  // [delta] min_weight_size = N in coral.toml; 512 when absent (both releases' default).
  const section = toml ? /\[delta\]([^[]*)/.exec(toml)?.[1] : undefined
  const value = section ? /^\s*min_weight_size\s*=\s*(\d+)/m.exec(section)?.[1] : undefined
  return value ? Number(value) : 512
}

function readJson(filePath: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(fs.readFileSync(filePath, 'utf8'))
  } catch (error) {
    throw new CoralError(
      'MalformedFile',
      `${filePath}: not valid JSON (${(error as Error).message})`,
      { path: filePath },
      { cause: error },
    )
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new CoralError('MalformedFile', `${filePath}: not a JSON object`, { path: filePath })
  }
  return parsed as Record<string, unknown>
}

function readOptionalJson(filePath: string, warnings: string[]): Record<string, unknown> | null {
  if (!fs.existsSync(filePath)) {
    return null
  }
  try {
    return readJson(filePath)
  } catch (error) {
    warnings.push((error as Error).message)
    return null
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory()
  } catch {
    return false
  }
}
