/**
 * `cluster validate [--fix]`: full verification of a repository's storage.
 *
 * Checks, in order (the order `--fix` repairs in):
 *   1. an interrupted backup restore (no `.coral` beside a ready copy)
 *   2. an unfinished migration journal: a paused migration, reported as
 *      `pendingMigration` (not a problem: every object is always in a
 *      verified form); `--fix` finishes it, or drops it when it cannot be
 *      finished, which loses nothing. A journal that cannot be read is a
 *      problem.
 *   3. temporary files of killed writers: removed
 *   4. refs and commits: every branch, tag and HEAD leads to readable
 *      commits; a missing or damaged commit is restored from a backup
 *   5. every tensor of every reachable commit (and every staged tensor) is
 *      read back and re-hashed; a missing or corrupt one is restored from
 *      the newest backup holding a copy that verifies
 *   6. the clustering index: parsed and consistent with the store; rebuilt
 *      from object headers when damaged or missing
 *   7. orphan objects (needed by no live tensor or delta chain): removed
 *
 * `ok` is true when every reachable tensor reads back exactly, every ref
 * resolves, any migration journal is readable and the index is intact. Orphans and
 * temporary files are reported (and removed with `--fix`) without making
 * `ok` false: they waste space, they lose nothing.
 */
import { readdir, readFile, rm } from 'node:fs/promises'
import path from 'node:path'

import type { BackupInfo, ValidationProblem, ValidationReport } from '../api/contract.js'
import { groupKey } from '../cluster/quality.js'
import { CoralError, throwIfAborted } from '../errors.js'
import { withDeltaBases } from '../repo/gc.js'
import type { Repository } from '../repo/repository.js'
import { TEMP_PREFIX, writeFileAtomic } from '../store/atomic-write.js'
import { commitId, type Commit } from '../store/commit-store.js'
import { ObjectStore } from '../store/object-store.js'
import { isObjectId, shortId } from '../store/tensor-id.js'
import { listBackupsAt, recoverInterruptedRestore } from './backup.js'
import {
  readIndex,
  writeIndex,
  type ClusteringIndex,
  type IndexCluster,
} from './clustering-index.js'
import { readJournal, removeJournal, type Journal } from './journal.js'
import { executeJournal } from './migrate.js'
import { DEFAULT_BATCH_BYTES, type RunOptions } from './planner.js'
import { standaloneObject } from './encoding.js'
import { createThrottle } from './throttle.js'
import { TensorCache } from './tensor-cache.js'
import { isDeltaCodec } from '../store/object-format.js'

/** Options of `validateRepository`. */
export interface ValidateOptions {
  fix: boolean
  /** Do not look for copies in backups (used when verifying a backup itself). */
  skipBackups?: boolean
}

const SERIOUS: ValidationProblem['kind'][] = [
  'corrupt-object',
  'missing-object',
  'unfinished-migration',
  'damaged-index',
  'bad-ref',
]

/** Verifies (and with `fix`, repairs) the repository. See the module notes. */
export async function validateRepository(
  repo: Repository,
  options: ValidateOptions,
  run: RunOptions = {},
): Promise<ValidationReport> {
  if (options.fix) {
    await recoverInterruptedRestore(repo.root)
    return repo.withWriteLock('cluster validate --fix', () => validateInner(repo, options, run))
  }
  return validateInner(repo, options, run)
}

async function validateInner(
  repo: Repository,
  options: ValidateOptions,
  run: RunOptions,
): Promise<ValidationReport> {
  const started = performance.now()
  const backups = options.skipBackups ? [] : (await listBackupsAt(repo.root)).reverse()
  // Backups are read only to repair objects; their pack files close afterwards.
  const backupStores = backups.map((b) => new ObjectStore(path.join(b.path, '.coral', 'objects')))
  try {
    return await checkRepository(repo, options, run, { backups, backupStores, started })
  } finally {
    for (const store of backupStores) store.packs.closeDescriptors()
  }
}

async function checkRepository(
  repo: Repository,
  options: ValidateOptions,
  run: RunOptions,
  context: {
    backups: BackupInfo[]
    backupStores: ObjectStore[]
    started: number
  },
): Promise<ValidationReport> {
  const { backups, backupStores, started } = context
  const problems: ValidationProblem[] = []
  const fix = options.fix

  // 2. Unfinished migration.
  let pendingJournal: Journal | undefined
  try {
    pendingJournal = await readJournal(repo)
    if (pendingJournal && fix) {
      const problem: ValidationProblem = {
        kind: 'unfinished-migration',
        message: `A migration started ${pendingJournal.startedAt} did not finish (phase ${pendingJournal.phase})`,
        fixed: false,
      }
      try {
        await executeJournal(repo, pendingJournal, pendingJournal.plan.batchSize, run)
        // The checks below are the migration's validation.
        await removeJournal(repo)
        problem.fixed = true
        problem.message += '; finished it'
      } catch (error) {
        if (error instanceof CoralError && error.code === 'Cancelled') throw error
        await removeJournal(repo)
        problem.fixed = true
        problem.message += `; could not finish it (${(error as Error).message}), so rolled it back: every object keeps its current verified form`
      }
      pendingJournal = undefined
      problems.push(problem)
    }
  } catch (error) {
    if (!(error instanceof CoralError && error.code === 'ObjectCorrupt')) throw error
    const problem: ValidationProblem = {
      kind: 'unfinished-migration',
      message: error.message,
      fixed: false,
    }
    if (fix) {
      await removeJournal(repo)
      problem.fixed = true
      problem.message += '; removed it (every object keeps its current verified form)'
    }
    problems.push(problem)
  }

  // 3. Temporary files.
  for (const file of await tempFilesOf(repo)) {
    const problem: ValidationProblem = {
      kind: 'temp-file',
      message: `Temporary file left by a killed writer: ${path.relative(repo.root, file)}`,
      path: file,
      fixed: false,
    }
    if (fix) {
      await rm(file, { force: true })
      problem.fixed = true
    }
    problems.push(problem)
  }

  // 4. Refs and commits.
  const commits = new Map<string, Commit>()
  const starts: { label: string; id: string }[] = []
  for (const kind of ['heads', 'tags'] as const) {
    for (const name of await repo.refs.list(kind)) {
      const id = await repo.refs.read(kind, name)
      if (id) starts.push({ label: `${kind === 'heads' ? 'branch' : 'tag'} ${name}`, id })
    }
  }
  const head = await repo.headCommit().catch(() => undefined)
  if (head) starts.push({ label: 'HEAD', id: head })
  const queue = starts.map((s) => ({ ...s }))
  const badCommits = new Set<string>()
  while (queue.length > 0) {
    const { label, id } = queue.pop()!
    if (commits.has(id) || badCommits.has(id)) continue
    let commit: Commit | undefined
    try {
      commit = await repo.commits.read(id)
    } catch (error) {
      if (!(error instanceof CoralError)) throw error
      const problem: ValidationProblem = {
        kind: 'bad-ref',
        message: `${label} leads to commit ${shortId(id)}, which is ${error.code === 'NotFound' ? 'missing' : 'damaged'}`,
        commit: id,
        fixed: false,
      }
      if (fix && isObjectId(id)) {
        commit = await restoreCommit(
          repo,
          id,
          backups.map((b) => b.path),
        )
        if (commit) {
          problem.fixed = true
          problem.message += '; restored it from a backup'
        } else {
          problem.message += '; no backup holds it'
        }
      }
      problems.push(problem)
      if (!commit) {
        badCommits.add(id)
        continue
      }
    }
    commits.set(id, commit)
    for (const parent of commit.parents) queue.push({ label: `commit ${shortId(id)}`, id: parent })
  }

  // 5. Every tensor of every reachable commit, and the staged ones.
  const tensorIds = new Map<string, { name: string; commit?: string }>()
  for (const [cid, commit] of commits) {
    for (const [name, tid] of Object.entries(commit.tree)) {
      if (!tensorIds.has(tid)) tensorIds.set(tid, { name, commit: cid })
    }
  }
  for (const [name, tid] of Object.entries(await repo.readStaging().catch(() => ({})))) {
    if (!tensorIds.has(tid)) tensorIds.set(tid, { name })
  }
  const throttle = createThrottle(run.onProgress, run.progressIntervalMs)
  let done = 0
  let bytesIn = 0
  // Verified tensors, so a cluster reference is decoded once, not once per
  // member: as many as the default batch's byte budget holds. (At 64 tensors,
  // zoo/lm+ft re-read 502 bases, each with its chain: 440 ms against 270.)
  const verified = new TensorCache(repo.objects, Number.POSITIVE_INFINITY, DEFAULT_BATCH_BYTES)
  for (const [tid, where] of tensorIds) {
    throwIfAborted(run.signal)
    try {
      bytesIn += (await verified.get(tid)).data.length
    } catch (error) {
      if (
        !(error instanceof CoralError) ||
        (error.code !== 'NotFound' && error.code !== 'ObjectCorrupt')
      )
        throw error
      const problem: ValidationProblem = {
        kind: error.code === 'NotFound' ? 'missing-object' : 'corrupt-object',
        message: `Tensor "${where.name}"${where.commit ? ` in commit ${shortId(where.commit)}` : ' (staged)'}: ${error.message}`,
        tensorId: tid,
        ...(where.commit ? { commit: where.commit } : {}),
        fixed: false,
      }
      if (fix) {
        const source = await restoreObject(repo, tid, backupStores)
        if (source !== undefined) {
          problem.fixed = true
          problem.message += `; restored from ${path.basename(path.dirname(path.dirname(source)))}`
        } else {
          problem.message +=
            backupStores.length > 0
              ? '; no backup holds a copy that verifies'
              : '; no backup to restore from'
        }
      }
      problems.push(problem)
    }
    done++
    throttle(
      { phase: 'validate', done, total: tensorIds.size, bytesIn, bytesOut: 0 },
      done === tensorIds.size,
    )
  }

  // 6. The clustering index.
  // A paused migration writes the index in its last phases: deltas without
  // one are expected until then.
  // Live ids come from the commits read above, so a damaged commit is a
  // reported problem here rather than an exception.
  const live = new Set(tensorIds.keys())
  problems.push(...(await checkIndex(repo, live, fix, pendingJournal !== undefined)))

  // 7. Orphans (a pending migration's references are not orphans). While a
  // commit cannot be read, its tensors look like orphans: keep them.
  const needed = await withDeltaBases(
    repo,
    new Set([...live, ...(pendingJournal ? pendingJournal.plan.means.map((m) => m.id) : [])]),
  )
  for await (const id of repo.objects.ids()) {
    if (needed.has(id)) continue
    const problem: ValidationProblem = {
      kind: 'orphan-object',
      message: `Object ${shortId(id)} is needed by no commit, staged tensor or delta`,
      tensorId: id,
      fixed: false,
    }
    if (fix && badCommits.size === 0) {
      await repo.objects.delete(id)
      problem.fixed = true
    } else if (fix) {
      problem.message += '; kept, because a damaged commit may need it'
    }
    problems.push(problem)
  }

  const fixed = problems.filter((p) => p.fixed).length
  return {
    ok: !problems.some((p) => !p.fixed && SERIOUS.includes(p.kind)),
    commitsChecked: commits.size,
    tensorsChecked: tensorIds.size,
    problems,
    fixed,
    unfixed: problems.length - fixed,
    elapsedMs: Math.round(performance.now() - started),
    pendingMigration: pendingJournal
      ? {
          startedAt: pendingJournal.startedAt,
          phase: pendingJournal.phase,
          done: pendingJournal.done,
          total: pendingJournal.plan.entries.length,
        }
      : null,
  }
}

/** Temporary files anywhere under `.coral` (objects, commits, refs, root, migration). */
async function tempFilesOf(repo: Repository): Promise<string[]> {
  const found = new Set(await repo.objects.tempFiles())
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, entry.name)
      if (entry.name.startsWith(TEMP_PREFIX) && entry.isFile()) found.add(full)
      else if (entry.isDirectory() && depth < 3 && entry.name !== 'objects')
        await walk(full, depth + 1)
    }
  }
  await walk(repo.coralDir, 0)
  return [...found].sort()
}

/** Restores a tensor from the first backup whose copy verifies; returns that store's folder. */
async function restoreObject(
  repo: Repository,
  id: string,
  stores: ObjectStore[],
): Promise<string | undefined> {
  for (const store of stores) {
    let tensor
    try {
      tensor = await store.read(id) // re-hashed against the id
    } catch {
      continue
    }
    // Stored standalone: it must not depend on a base that may be the damaged part.
    await repo.objects.replaceEncoding(id, standaloneObject(tensor))
    await repo.objects.read(id)
    return store.dir
  }
  return undefined
}

/** Restores a commit file from a backup when its content hashes to `id`. */
async function restoreCommit(
  repo: Repository,
  id: string,
  backupDirs: string[],
): Promise<Commit | undefined> {
  for (const dir of backupDirs) {
    const file = path.join(dir, '.coral', 'commits', id.slice(0, 2), id.slice(2))
    const text = await readFile(file, 'utf8').catch(() => undefined)
    if (text === undefined) continue
    try {
      const commit = JSON.parse(text) as Commit
      if (commitId(commit) !== id) continue
      await writeFileAtomic(path.join(repo.commits.dir, id.slice(0, 2), id.slice(2)), text)
      return await repo.commits.read(id)
    } catch {
      continue
    }
  }
  return undefined
}

/** Checks the clustering index against the store; rebuilds it with `fix`. */
async function checkIndex(
  repo: Repository,
  live: Set<string>,
  fix: boolean,
  migrationPending: boolean,
): Promise<ValidationProblem[]> {
  let index: ClusteringIndex | undefined
  let why: string | undefined
  try {
    index = await readIndex(repo)
  } catch (error) {
    if (!(error instanceof CoralError && error.code === 'ObjectCorrupt')) throw error
    why = error.message
  }
  if (index && !why) {
    for (const cluster of index.clusters) {
      if (!(await repo.objects.has(cluster.referenceId))) {
        why = `The clustering index names reference ${shortId(cluster.referenceId)} (cluster ${cluster.id}), which is not in the store`
        break
      }
    }
  }
  let deltas = 0
  if (!index && !why && !migrationPending) {
    for (const id of live) {
      if (isDeltaCodec((await repo.objects.readHeader(id).catch(() => undefined))?.header.codec))
        deltas++
    }
    if (deltas > 0)
      why = `The clustering index (.coral/clustering.json) is missing but ${deltas} tensors are stored as deltas`
  }
  if (!why) return []
  const problem: ValidationProblem = { kind: 'damaged-index', message: why, fixed: false }
  if (fix) {
    const rebuilt = await rebuildIndex(repo, live, index)
    await writeIndex(repo, rebuilt)
    problem.fixed = true
    problem.message += `; rebuilt it from object headers (${rebuilt.clusters.length} clusters)`
  }
  return [problem]
}

/**
 * Recreates the index from object headers: every live delta belongs to the
 * cluster of the root of its chain; a root that is a live tensor is a
 * medoid, any other a synthesized mean. Strategy and threshold are kept when
 * the old index still said them, else null.
 */
export async function rebuildIndex(
  repo: Repository,
  live: Set<string>,
  previous?: ClusteringIndex,
): Promise<ClusteringIndex> {
  const rootOf = new Map<string, string>()
  const byRoot = new Map<string, { group: string; members: string[] }>()
  for (const id of [...live].sort()) {
    const header = (await repo.objects.readHeader(id).catch(() => undefined))?.header
    if (!isDeltaCodec(header?.codec)) continue
    let root = header.base!
    for (let hops = 0; hops < 16; hops++) {
      const known = rootOf.get(root)
      if (known) {
        root = known
        break
      }
      const next = (await repo.objects.readHeader(root).catch(() => undefined))?.header
      if (!isDeltaCodec(next?.codec)) break
      root = next.base!
    }
    rootOf.set(id, root)
    let cluster = byRoot.get(root)
    if (!cluster) {
      cluster = { group: groupKey(header.dtype, header.shape), members: [] }
      byRoot.set(root, cluster)
    }
    cluster.members.push(id)
  }
  const clusters: IndexCluster[] = [...byRoot.entries()].map(([root, c], i) => ({
    id: `c${i + 1}`,
    group: c.group,
    referenceId: root,
    referenceKind: live.has(root) ? 'medoid' : 'mean',
    members: c.members,
  }))
  return {
    version: 1,
    strategy: previous?.strategy ?? null,
    threshold: previous?.threshold ?? null,
    migratedAt: previous?.migratedAt ?? new Date().toISOString(),
    clusters,
    rebuilt: true,
  }
}
