/**
 * A Coral repository: tensors, commits, branches, tags and a staging area.
 *
 * Layout of `<root>/.coral/` (see docs/FORMAT.md):
 *   config.json    format marker and version
 *   HEAD           `ref: refs/heads/<branch>` or a detached commit id
 *   refs/heads/*   branches; refs/tags/* tags
 *   objects/       tensor objects by content id (ObjectStore)
 *   commits/       commit snapshots by id (CommitStore)
 *   staging.json   tensor names staged for the next commit
 *   lock           the single-writer lock while a command writes
 *
 * Reads need no lock: every file is replaced atomically, so a reader sees a
 * consistent old or new state. Every mutating method takes the write lock.
 */
import { mkdir, stat } from 'node:fs/promises'
import path from 'node:path'

import type { CommitSummary, HeadState } from '../api/contract.js'
import { CoralError, throwIfAborted } from '../errors.js'
import { writeFileAtomic } from '../store/atomic-write.js'
import { CommitStore, type Commit } from '../store/commit-store.js'
import { acquireLock, type HeldLock, type LockOwner } from '../store/lock.js'
import { ObjectStore } from '../store/object-store.js'
import { RefStore, assertRefName, type Head } from '../store/refs.js'
import { isObjectId, shortId, tensorId } from '../store/tensor-id.js'
import { byteLength } from '../tensor/dtype.js'
import type { Tensor } from '../tensor/tensor.js'
import type { EncodedObject } from '../codec/tensor-codec.js'
import type { ProgressCallback } from './progress.js'
import { readTextIfPresent } from '../store/read-if-present.js'

/** Raw bytes of new tensors gathered into one pack while staging. */
const PACK_BYTES = 64 * 1024 * 1024

/** The marker `config.json` holds in a Coral (TypeScript) repository. */
export const FORMAT_NAME = 'coral'
export const FORMAT_VERSION = 1

/** Options of long operations. */
export interface OperationOptions {
  signal?: AbortSignal
  onProgress?: ProgressCallback
}

/** Options of `commit`. */
export interface CommitOptions extends OperationOptions {
  author?: string
  email?: string
  tags?: string[]
  /** ISO time; defaults to now. */
  timestamp?: string
}

/**
 * Chooses how a newly stored tensor is encoded; undefined means standalone.
 * Mixed mode uses it to store a delta against a cluster reference.
 */
export type EncodeHook = (id: string, tensor: Tensor) => Promise<EncodedObject | undefined>

/** What `stageWeights` did. */
export interface StageResult {
  staged: { name: string; id: string; written: boolean; storedBytes: number }[]
}

export class Repository {
  readonly objects: ObjectStore
  readonly commits: CommitStore
  readonly refs: RefStore
  private encodeHook: EncodeHook | undefined
  private heldLock: HeldLock | undefined

  private constructor(
    /** The folder that contains `.coral`. */
    readonly root: string,
  ) {
    this.objects = new ObjectStore(path.join(this.coralDir, 'objects'))
    this.commits = new CommitStore(path.join(this.coralDir, 'commits'))
    this.refs = new RefStore(this.coralDir)
  }

  /** The `.coral` folder. */
  get coralDir(): string {
    return path.join(this.root, '.coral')
  }

  /** Creates an empty repository at `root` (the folder is created if needed). */
  static async init(root: string, options: { branch?: string } = {}): Promise<Repository> {
    const absolute = path.resolve(root)
    const coralDir = path.join(absolute, '.coral')
    if (await exists(coralDir)) {
      throw new CoralError(
        'AlreadyExists',
        `${absolute} already holds a repository (.coral exists)`,
        {
          path: absolute,
        },
      )
    }
    const branch = options.branch ?? 'main'
    assertRefName(branch)
    for (const dir of ['objects', 'commits', 'refs/heads', 'refs/tags']) {
      await mkdir(path.join(coralDir, dir), { recursive: true })
    }
    await writeFileAtomic(path.join(coralDir, 'HEAD'), `ref: refs/heads/${branch}\n`)
    // config.json last: its presence marks a complete repository.
    await writeFileAtomic(
      path.join(coralDir, 'config.json'),
      `${JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION }, null, 2)}\n`,
    )
    return new Repository(absolute)
  }

  /**
   * Opens the repository at `root` or in the nearest ancestor holding `.coral`.
   *
   * A `.coral` written by the Python coral-ml is refused with a message that
   * points to `import-coral`.
   */
  static async open(root: string): Promise<Repository> {
    let dir = path.resolve(root)
    for (;;) {
      const kind = await detectRepository(dir)
      if (kind === 'coral') {
        return new Repository(dir)
      }
      if (kind === 'python-coral') {
        throw new CoralError(
          'NotARepository',
          `${dir} is a Python coral-ml repository; convert it with "coral-ml import-coral ${dir}"`,
          { path: dir, pythonCoral: true },
        )
      }
      const parent = path.dirname(dir)
      if (parent === dir) {
        throw new CoralError(
          'NotARepository',
          `${path.resolve(root)} is not inside a Coral repository (no .coral folder)`,
          {
            path: path.resolve(root),
          },
        )
      }
      dir = parent
    }
  }

  /** Installs the hook that chooses the encoding of newly stored tensors (mixed mode). */
  setEncodeHook(hook: EncodeHook | undefined): void {
    this.encodeHook = hook
  }

  /**
   * Closes the pack files this object keeps open for reading. A long-lived
   * process (the app's core, `coral-ml ui`) calls it when it lets a
   * repository go: descriptors are not garbage-collected, and each opened
   * repository held a few. Tests call it before removing the folder or
   * unmounting its file system. The object stays usable; a later read opens
   * what it needs again.
   */
  close(): void {
    this.objects.packs.closeDescriptors()
  }

  // ---------------------------------------------------------------------------
  // Locking
  // ---------------------------------------------------------------------------

  /**
   * Runs `fn` holding the write lock. Re-entrant within one Repository object,
   * so composed operations (stage then commit) take it once.
   */
  async withWriteLock<T>(
    command: string,
    fn: () => Promise<T>,
    onStaleLock?: (previous: LockOwner) => void,
  ): Promise<T> {
    if (this.heldLock) {
      return fn()
    }
    const lock = await acquireLock(this.coralDir, command, onStaleLock ? { onStaleLock } : {})
    this.heldLock = lock
    try {
      return await fn()
    } finally {
      this.heldLock = undefined
      await lock.release()
    }
  }

  // ---------------------------------------------------------------------------
  // Staging and commits
  // ---------------------------------------------------------------------------

  /** Stores tensors and stages them under their names for the next commit. */
  async stageWeights(
    weights: Record<string, Tensor> | Iterable<[string, Tensor]>,
    options: OperationOptions = {},
  ): Promise<StageResult> {
    const entries =
      Symbol.iterator in weights
        ? [...(weights as Iterable<[string, Tensor]>)]
        : Object.entries(weights)
    return this.withWriteLock('stage', async () => {
      const staging = await this.readStaging()
      const result: StageResult = { staged: [] }
      let bytesIn = 0
      let bytesOut = 0
      let done = 0
      for (const [name, tensor] of entries) {
        assertTensorName(name)
        assertTensorShape(name, tensor)
      }
      // New tensors go into packs of at most PACK_BYTES raw bytes: one file
      // and one fsync per pack, and memory bounded by the pack.
      let batch: { name: string; id: string; tensor: Tensor }[] = []
      let batchBytes = 0
      const flush = async () => {
        const writes = await this.objects.writeMany(batch, this.encodeHook)
        for (const [i, write] of writes.entries()) {
          const { name, id, tensor } = batch[i]!
          bytesIn += tensor.data.length
          bytesOut += write.written ? write.storedBytes : 0
          result.staged.push({ name, id, written: write.written, storedBytes: write.storedBytes })
          options.onProgress?.({
            phase: 'store',
            done: ++done,
            total: entries.length,
            bytesIn,
            bytesOut,
          })
        }
        batch = []
        batchBytes = 0
      }
      for (const [name, tensor] of entries) {
        throwIfAborted(options.signal)
        batch.push({ name, id: tensorId(tensor), tensor })
        batchBytes += tensor.data.length
        if (batchBytes >= PACK_BYTES) {
          await flush()
        }
      }
      await flush()
      for (const { name, id } of result.staged) {
        staging[name] = id
      }
      await this.writeStaging(staging)
      return result
    })
  }

  /** Stores one tensor without staging it (used by importers). */
  async storeTensor(tensor: Tensor): Promise<string> {
    const id = tensorId(tensor)
    if (!(await this.objects.has(id))) {
      const encoded = await this.encodeHook?.(id, tensor)
      await (encoded ? this.objects.writeEncoded(id, encoded) : this.objects.write(tensor, id))
    }
    return id
  }

  /** Names staged for the next commit, with their tensor ids. */
  async readStaging(): Promise<Record<string, string>> {
    const text = await readTextIfPresent(path.join(this.coralDir, 'staging.json'))
    if (text === undefined) {
      return {}
    }
    const damaged = () =>
      new CoralError(
        'ObjectCorrupt',
        'The staging area (.coral/staging.json) is damaged; remove it and add the files again',
      )
    let entries: unknown
    try {
      entries = (JSON.parse(text) as { entries?: unknown } | null)?.entries ?? {}
    } catch {
      throw damaged()
    }
    if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) {
      throw damaged()
    }
    const staged = entries as Record<string, unknown>
    if (!Object.values(staged).every((id) => typeof id === 'string' && isObjectId(id))) {
      throw damaged()
    }
    return { ...(staged as Record<string, string>) }
  }

  private async writeStaging(entries: Record<string, string>): Promise<void> {
    await writeFileAtomic(
      path.join(this.coralDir, 'staging.json'),
      JSON.stringify({ entries }, null, 1),
    )
  }

  /**
   * Records a commit: the parent's snapshot with the staged tensors applied.
   * Moves the current branch (or detached HEAD) and creates the given tags.
   */
  async commit(message: string, options: CommitOptions = {}): Promise<CommitSummary> {
    if (!message.trim()) {
      throw new CoralError('InvalidArgument', 'A commit needs a message (-m "...")')
    }
    for (const tag of options.tags ?? []) {
      assertRefName(tag)
    }
    return this.withWriteLock('commit', async () => {
      const staged = await this.readStaging()
      if (Object.keys(staged).length === 0) {
        throw new CoralError(
          'NothingToCommit',
          'Nothing to commit: add weight files first (coral-ml add <file>)',
        )
      }
      // The staging file is plain JSON on disk: never record an id the store cannot serve.
      for (const [name, id] of Object.entries(staged)) {
        if (!(await this.objects.has(id))) {
          throw new CoralError(
            'ObjectCorrupt',
            `Staged tensor "${name}" (${shortId(id)}) is not in the store; remove .coral/staging.json and add the files again`,
            { id },
          )
        }
      }
      for (const tag of options.tags ?? []) {
        if ((await this.refs.read('tags', tag)) !== undefined) {
          throw new CoralError('AlreadyExists', `Tag "${tag}" already exists`, { tag })
        }
      }
      const head = await this.refs.readHead()
      const parentId = await this.headCommit()
      const parentTree = parentId ? (await this.commits.read(parentId)).tree : {}
      const commit: Commit = {
        tree: sortRecord({ ...parentTree, ...staged }),
        parents: parentId ? [parentId] : [],
        message,
        author: options.author ?? process.env.CORAL_AUTHOR_NAME ?? 'Anonymous',
        email: options.email ?? process.env.CORAL_AUTHOR_EMAIL ?? 'anonymous@example.com',
        timestamp: options.timestamp ?? new Date().toISOString(),
        tags: [...(options.tags ?? [])],
      }
      const id = await this.commits.write(commit)
      await this.writeCommitRefs(head, id, commit.tags)
      await this.writeStaging({})
      return summarizeCommit(id, commit)
    })
  }

  /** Writes a fully formed commit (used by importers); returns its id. */
  async writeCommit(commit: Commit): Promise<string> {
    return this.commits.write({ ...commit, tree: sortRecord(commit.tree) })
  }

  private async writeCommitRefs(head: Head, id: string, tags: string[]): Promise<void> {
    if ('branch' in head) {
      await this.refs.write('heads', head.branch, id)
    } else {
      await this.refs.writeHead({ commit: id })
    }
    for (const tag of tags) {
      await this.refs.write('tags', tag, id)
    }
  }

  // ---------------------------------------------------------------------------
  // Refs
  // ---------------------------------------------------------------------------

  /** The commit HEAD resolves to, or undefined in a repository without commits. */
  async headCommit(): Promise<string | undefined> {
    const head = await this.refs.readHead()
    return 'branch' in head ? this.refs.read('heads', head.branch) : head.commit
  }

  async headState(): Promise<HeadState> {
    const head = await this.refs.readHead()
    return {
      branch: 'branch' in head ? head.branch : null,
      commit: (await this.headCommit()) ?? null,
    }
  }

  /**
   * Resolves a ref to a commit id: `HEAD`, a branch, a tag, a full commit id
   * or a unique prefix of at least 4 hex digits. Undefined means HEAD.
   */
  async resolveRef(ref?: string): Promise<string> {
    if (ref === undefined || ref === 'HEAD') {
      const id = await this.headCommit()
      if (!id) {
        throw new CoralError('NotFound', 'The repository has no commits yet')
      }
      return id
    }
    if (ref.length > 0 && ref.length <= 200 && !ref.includes('\0')) {
      if (isObjectId(ref)) {
        await this.commits.read(ref)
        return ref
      }
      const validName = safeRefName(ref)
      if (validName) {
        const branch = await this.refs.read('heads', ref)
        if (branch) {
          return branch
        }
        const tag = await this.refs.read('tags', ref)
        if (tag) {
          return tag
        }
      }
      if (/^[0-9a-f]{4,63}$/.test(ref)) {
        const matches = (await this.commits.ids()).filter((id) => id.startsWith(ref))
        if (matches.length === 1) {
          return matches[0]!
        }
        if (matches.length > 1) {
          throw new CoralError(
            'InvalidRef',
            `"${ref}" matches ${matches.length} commits; give more digits`,
            { ref },
          )
        }
      }
    }
    throw new CoralError('NotFound', `No branch, tag or commit named "${ref.slice(0, 80)}"`, {
      ref,
    })
  }

  async branches(): Promise<string[]> {
    return this.refs.list('heads')
  }

  async tags(): Promise<string[]> {
    return this.refs.list('tags')
  }

  /** Creates a branch at `ref` (default HEAD). */
  async createBranch(name: string, ref?: string): Promise<string> {
    assertRefName(name)
    return this.withWriteLock('branch', async () => {
      if (await this.refs.read('heads', name)) {
        throw new CoralError('AlreadyExists', `Branch "${name}" already exists`, { name })
      }
      const id = await this.resolveRef(ref)
      await this.refs.write('heads', name, id)
      return id
    })
  }

  async deleteBranch(name: string): Promise<void> {
    assertRefName(name)
    await this.withWriteLock('branch -d', async () => {
      if (!(await this.refs.read('heads', name))) {
        throw new CoralError('NotFound', `Branch "${name}" does not exist`, { name })
      }
      const head = await this.refs.readHead()
      if ('branch' in head && head.branch === name) {
        throw new CoralError(
          'InvalidArgument',
          `Cannot delete "${name}": it is the current branch; check out another first`,
        )
      }
      await this.refs.delete('heads', name)
    })
  }

  /** Attaches HEAD to a branch, or detaches it at any other ref. */
  async checkout(ref: string): Promise<HeadState> {
    return this.withWriteLock('checkout', async () => {
      if (safeRefName(ref) && (await this.refs.read('heads', ref))) {
        await this.refs.writeHead({ branch: ref })
      } else {
        await this.refs.writeHead({ commit: await this.resolveRef(ref) })
      }
      return this.headState()
    })
  }

  async createTag(name: string, ref?: string): Promise<string> {
    assertRefName(name)
    return this.withWriteLock('tag', async () => {
      if (await this.refs.read('tags', name)) {
        throw new CoralError('AlreadyExists', `Tag "${name}" already exists`, { name })
      }
      const id = await this.resolveRef(ref)
      await this.refs.write('tags', name, id)
      return id
    })
  }

  // ---------------------------------------------------------------------------
  // Reading
  // ---------------------------------------------------------------------------

  async readCommit(id: string): Promise<Commit> {
    return this.commits.read(id)
  }

  /** Commits reachable from `ref` (default HEAD), newest first by time. */
  async log(ref?: string, limit = Number.POSITIVE_INFINITY): Promise<CommitSummary[]> {
    const start = ref === undefined ? await this.headCommit() : await this.resolveRef(ref)
    if (!start) {
      return []
    }
    const seen = new Map<string, Commit>()
    const queue = [start]
    while (queue.length > 0) {
      const id = queue.pop()!
      if (seen.has(id)) {
        continue
      }
      const commit = await this.commits.read(id)
      seen.set(id, commit)
      queue.push(...commit.parents)
    }
    return [...seen.entries()]
      .map(([id, c]) => summarizeCommit(id, c))
      .sort((a, b) =>
        a.timestamp < b.timestamp ? 1 : a.timestamp > b.timestamp ? -1 : a.id.localeCompare(b.id),
      )
      .slice(0, limit)
  }

  /** Every commit reachable from any branch, tag or HEAD. */
  async reachableCommits(): Promise<Map<string, Commit>> {
    const starts = new Set<string>()
    for (const name of await this.refs.list('heads')) {
      starts.add((await this.refs.read('heads', name))!)
    }
    for (const name of await this.refs.list('tags')) {
      starts.add((await this.refs.read('tags', name))!)
    }
    const head = await this.headCommit()
    if (head) {
      starts.add(head)
    }
    const seen = new Map<string, Commit>()
    const queue = [...starts]
    while (queue.length > 0) {
      const id = queue.pop()!
      if (seen.has(id)) {
        continue
      }
      const commit = await this.commits.read(id)
      seen.set(id, commit)
      queue.push(...commit.parents)
    }
    return seen
  }

  /** The snapshot (name to tensor id) of a ref, default HEAD. */
  async tree(ref?: string): Promise<Record<string, string>> {
    return (await this.commits.read(await this.resolveRef(ref))).tree
  }

  /** Reads one tensor of a commit; verifies it against its id. */
  async getWeight(name: string, ref?: string): Promise<Tensor> {
    const commitIdValue = await this.resolveRef(ref)
    const tree = (await this.commits.read(commitIdValue)).tree
    const id = tree[name]
    if (id === undefined) {
      throw new CoralError(
        'NotFound',
        `Tensor "${name}" is not in commit ${shortId(commitIdValue)}`,
        {
          name,
          commit: commitIdValue,
        },
      )
    }
    return this.readTensorOf(id, name, commitIdValue)
  }

  /** Reads every tensor of a commit (default HEAD). */
  async getAllWeights(ref?: string, options: OperationOptions = {}): Promise<Map<string, Tensor>> {
    const out = new Map<string, Tensor>()
    for await (const [name, tensor] of this.iterateWeights(ref, options)) {
      out.set(name, tensor)
    }
    return out
  }

  /** Streams the tensors of a commit in name order, one in memory at a time. */
  async *iterateWeights(
    ref?: string,
    options: OperationOptions = {},
  ): AsyncGenerator<[string, Tensor]> {
    const commitIdValue = await this.resolveRef(ref)
    const entries = Object.entries((await this.commits.read(commitIdValue)).tree).sort(
      ([a], [b]) => (a < b ? -1 : a > b ? 1 : 0),
    )
    let bytesIn = 0
    for (const [index, [name, id]] of entries.entries()) {
      throwIfAborted(options.signal)
      const tensor = await this.readTensorOf(id, name, commitIdValue)
      bytesIn += tensor.data.length
      options.onProgress?.({
        phase: 'read',
        done: index + 1,
        total: entries.length,
        bytesIn,
        bytesOut: bytesIn,
      })
      yield [name, tensor]
    }
  }

  /** Reads a tensor by id, naming the tensor and commit if it is corrupt. */
  async readTensorOf(id: string, name: string, commit: string): Promise<Tensor> {
    try {
      return await this.objects.read(id)
    } catch (error) {
      if (
        error instanceof CoralError &&
        (error.code === 'ObjectCorrupt' || error.code === 'NotFound')
      ) {
        throw new CoralError(
          error.code,
          `Tensor "${name}" in commit ${shortId(commit)}: ${error.message}`,
          { ...error.data, name, commit },
          { cause: error },
        )
      }
      throw error
    }
  }

  /** Tensor ids referenced by commits reachable from any ref, plus staged ones. */
  async liveTensorIds(): Promise<Set<string>> {
    const ids = new Set<string>()
    for (const commit of (await this.reachableCommits()).values()) {
      for (const id of Object.values(commit.tree)) {
        ids.add(id)
      }
    }
    for (const id of Object.values(await this.readStaging())) {
      ids.add(id)
    }
    return ids
  }
}

/** What kind of repository `dir` holds. */
export async function detectRepository(dir: string): Promise<'coral' | 'python-coral' | 'none'> {
  const configText = await readTextIfPresent(path.join(dir, '.coral', 'config.json'))
  if (configText !== undefined) {
    try {
      const config = JSON.parse(configText) as { format?: unknown }
      if (config.format === FORMAT_NAME) {
        return 'coral'
      }
    } catch {
      // an unreadable config is judged by the files below
    }
  }
  if (
    (await exists(path.join(dir, '.coral', 'objects', 'weights.h5'))) ||
    (await exists(path.join(dir, '.coral', 'objects', 'commits')))
  ) {
    return 'python-coral'
  }
  return 'none'
}

/** Turns a stored commit into its summary. */
export function summarizeCommit(id: string, commit: Commit): CommitSummary {
  return {
    id,
    parents: [...commit.parents],
    message: commit.message,
    author: commit.author,
    email: commit.email,
    timestamp: commit.timestamp,
    tags: [...commit.tags],
    tensors: Object.keys(commit.tree).length,
  }
}

/** Throws unless `name` is a usable tensor name. */
export function assertTensorName(name: string): void {
  if (name.length === 0 || name.includes('\0') || Buffer.byteLength(name) > 1024) {
    throw new CoralError(
      'InvalidArgument',
      `Invalid tensor name "${name.slice(0, 80)}" (empty, NUL or over 1024 bytes)`,
      {
        name: name.slice(0, 200),
      },
    )
  }
}

function assertTensorShape(name: string, tensor: Tensor): void {
  const expected = byteLength(tensor.dtype, tensor.shape)
  if (expected === undefined || expected !== tensor.data.length) {
    throw new CoralError(
      'InvalidArgument',
      `Tensor "${name}" has ${tensor.data.length} bytes, but ${tensor.dtype}[${tensor.shape.join(', ')}] needs ${expected ?? 'an unrepresentable number of'}`,
      { name },
    )
  }
}

function safeRefName(name: string): boolean {
  try {
    assertRefName(name)
    return true
  } catch {
    return false
  }
}

function sortRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p)
    return true
  } catch {
    return false
  }
}
