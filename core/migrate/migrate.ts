/**
 * `cluster migrate`: rewrite the store as cluster references plus deltas.
 *
 * Under the write lock: optional backup, plan (`planner.ts`), journal, then
 * five idempotent phases:
 *   flatten  re-encode standalone every candidate stored as a delta (only
 *            after an earlier migration or mixed mode). A standalone object
 *            is nobody's descendant, so the new edges below can never close
 *            a cycle, and no chain grows beyond the new plan's depth while
 *            half the objects are old and half new.
 *   means    write synthesized mean references, verified by reading back.
 *   encode   re-encode members as deltas in plan order (bases first) through
 *            `ObjectStore.replaceEncoding`, which proves the new form
 *            decodes to the id before the atomic rename.
 *   index    write `.coral/clustering.json`.
 *   cleanup  remove objects nothing needs (old references, orphans).
 *   validate read back every tensor of every reachable commit; the journal
 *            is removed only after this, so a migration cancelled while
 *            validating is still unfinished, and running it again resumes
 *            with the validation.
 * Killed or cancelled at any point, every object is in a verified form;
 * running migrate again resumes from the journal.
 */
import { rm } from 'node:fs/promises'

import type { DryRunReport, MigrateOptions, MigrationReport } from '../api/contract.js'
import { meanTensor } from '../cluster/reference.js'
import { ensureZstd } from '../codec/zstd.js'
import { CoralError, throwIfAborted } from '../errors.js'
import { liveObjectIds } from '../repo/gc.js'
import type { Repository } from '../repo/repository.js'
import { shortId, tensorId } from '../store/tensor-id.js'
import type { Tensor } from '../tensor/tensor.js'
import { backupBytes, createBackup } from './backup.js'
import { readIndex, writeIndex, type ClusteringIndex } from './clustering-index.js'
import { deltaObject, encodedSize, standaloneObject } from './encoding.js'
import {
  PHASES,
  readJournal,
  removeJournal,
  writeJournal,
  type Journal,
  type Phase,
} from './journal.js'
import {
  buildStoragePlan,
  checkPlanOptions,
  fullReport,
  type PlanMean,
  type RunOptions,
} from './planner.js'
import { mapConcurrent } from '../store/concurrency.js'
import { undefinedIfDamaged } from '../store/read-if-present.js'
import type { PlannedPayloads } from './planned-payloads.js'
import { TensorCache } from './tensor-cache.js'
import { createThrottle } from './throttle.js'
import { validateRepository } from './validate.js'
import { isDeltaCodec } from '../store/object-format.js'

/** Milliseconds between journal progress updates. */
const JOURNAL_INTERVAL_MS = 2000

/** Entries re-encoded at once (each holds a tensor, its base and its encoding). */
const ENCODE_CONCURRENCY = 4

/** Options of `migrate`; the contract's `MigrateOptions` with defaults. */
export type MigrateInput = Partial<MigrateOptions> & Pick<MigrateOptions, 'strategy' | 'threshold'>

/**
 * `cluster migrate --dry-run`: the plan and what a backup would need. Reads
 * only; writes nothing, not even a lock.
 */
export async function dryRun(
  repo: Repository,
  options: MigrateInput,
  run: RunOptions = {},
): Promise<DryRunReport> {
  const planned = await buildStoragePlan(
    repo,
    {
      strategy: options.strategy,
      threshold: options.threshold,
      batchSize: options.batchSize,
    },
    run,
  )
  return { ...fullReport(planned), backupBytes: await backupBytes(repo) }
}

/** The message of `AlreadyMigrated`. */
export function alreadyMigratedError(index: ClusteringIndex | undefined): CoralError {
  const strategy = index?.strategy ?? 'unknown strategy'
  const threshold = index?.threshold ?? 'unknown'
  const date = index?.migratedAt ?? 'unknown date'
  return new CoralError(
    'AlreadyMigrated',
    `The repository is already migrated (${strategy}, threshold ${threshold}, ${date}); --force re-clusters all tensors with the new options`,
    {
      strategy: index?.strategy ?? null,
      threshold: index?.threshold ?? null,
      migratedAt: index?.migratedAt ?? null,
    },
  )
}

/**
 * Runs (or resumes) a migration. See the module notes for the phases.
 *
 * Throws `AlreadyMigrated` on a migrated repository without `force`,
 * `Cancelled` when `run.signal` fires (the repository stays valid and the
 * next call resumes), `RepoLocked` when another process writes.
 */
export async function migrate(
  repo: Repository,
  options: MigrateInput,
  run: RunOptions = {},
): Promise<MigrationReport> {
  if (options.dryRun) {
    throw new CoralError('InvalidArgument', 'migrate() writes; call dryRun() for a dry run')
  }
  checkPlanOptions(options)
  const started = performance.now()
  await ensureZstd()
  return repo.withWriteLock('cluster migrate', async () => {
    let journal = await readJournal(repo)
    const resumed = journal !== undefined
    let payloads: PlannedPayloads | undefined
    if (!journal) {
      let index: ClusteringIndex | undefined
      let damaged = false
      try {
        index = await readIndex(repo)
      } catch (error) {
        if (!(error instanceof CoralError && error.code === 'ObjectCorrupt')) throw error
        damaged = true
      }
      if ((index || damaged) && !options.force) {
        throw alreadyMigratedError(index)
      }
      const backupPath = options.backup ? (await createBackup(repo, run)).path : null
      const storedBytesBefore = await repo.objects.totalBytes()
      const planned = await buildStoragePlan(
        repo,
        {
          strategy: options.strategy,
          threshold: options.threshold,
          batchSize: options.batchSize,
        },
        run,
      )
      const { plan } = planned
      payloads = planned.payloads
      journal = {
        version: 1,
        startedAt: new Date().toISOString(),
        phase: 'flatten',
        done: 0,
        storedBytesBefore,
        backupPath,
        plan,
      }
      await writeJournal(repo, journal)
    } else if (options.backup && !journal.backupPath) {
      journal.backupPath = (await createBackup(repo, run)).path
      await writeJournal(repo, journal)
    }
    await executeJournal(repo, journal, options.batchSize ?? journal.plan.batchSize, run, payloads)
    const validation = await validateRepository(repo, { fix: false }, run)
    await removeJournal(repo)
    let clustered = 0
    for (const entry of journal.plan.entries) {
      const header = await repo.objects.readHeader(entry.id).catch(undefinedIfDamaged)
      if (isDeltaCodec(header?.header.codec)) clustered++
    }
    const storedBytesAfter = await repo.objects.totalBytes()
    const bytesSaved = journal.storedBytesBefore - storedBytesAfter
    return {
      strategy: journal.plan.strategy,
      threshold: journal.plan.threshold,
      tensorsProcessed: journal.plan.entries.length,
      clustersCreated: journal.plan.clusters.length,
      clusteredTensors: clustered,
      standaloneTensors: journal.plan.entries.length - clustered,
      storedBytesBefore: journal.storedBytesBefore,
      storedBytesAfter,
      predictedStoredBytes: journal.plan.predictedStoredBytes,
      bytesSaved,
      reduction: journal.storedBytesBefore > 0 ? bytesSaved / journal.storedBytesBefore : 0,
      elapsedMs: Math.round(performance.now() - started),
      backupPath: journal.backupPath,
      resumed,
      // Validated while the journal still marked the migration unfinished.
      validation: { ...validation, pendingMigration: null },
    }
  })
}

/**
 * Runs the journal's remaining phases up to `validate`, which the caller
 * performs before removing the journal. Each phase is idempotent, so a phase
 * interrupted halfway is simply run again. Call under the write lock.
 */
export async function executeJournal(
  repo: Repository,
  journal: Journal,
  batchSize: number,
  run: RunOptions,
  payloads?: PlannedPayloads,
): Promise<void> {
  const { plan } = journal
  const cache = new TensorCache(repo.objects, batchSize)
  const throttle = createThrottle(run.onProgress, run.progressIntervalMs)
  let lastJournalWrite = performance.now()
  const setPhase = async (phase: Phase) => {
    journal.phase = phase
    await writeJournal(repo, journal)
  }
  const from = PHASES.indexOf(journal.phase)
  const total = plan.entries.length
  let bytesIn = 0
  let bytesOut = 0

  if (from <= PHASES.indexOf('flatten')) {
    for (const [i, entry] of plan.entries.entries()) {
      throwIfAborted(run.signal)
      const header = await repo.objects.readHeader(entry.id).catch(undefinedIfDamaged)
      if (isDeltaCodec(header?.header.codec)) {
        const tensor = await repo.objects.read(entry.id)
        await repo.objects.replaceEncoding(entry.id, standaloneObject(tensor))
        cache.drop(entry.id)
      }
      throttle({ phase: 'flatten', done: i + 1, total, bytesIn: 0, bytesOut: 0 }, i + 1 === total)
    }
    await setPhase('means')
  }

  const means = new Map(plan.means.map((m) => [m.id, m]))
  if (from <= PHASES.indexOf('means')) {
    for (const [i, mean] of plan.means.entries()) {
      throwIfAborted(run.signal)
      await writeMean(repo, cache, mean)
      throttle(
        { phase: 'means', done: i + 1, total: plan.means.length, bytesIn: 0, bytesOut: 0 },
        i + 1 === plan.means.length,
      )
    }
    await setPhase('encode')
  }

  if (from <= PHASES.indexOf('encode')) {
    // Deltas are taken against their bases' bytes, which never change, so
    // entries are independent: a few run at once, overlapping one object's
    // fsync with the next one's encoding. Each replacement is atomic and
    // verified; a rerun skips entries already in their planned form.
    let completed = 0
    await mapConcurrent(plan.entries, ENCODE_CONCURRENCY, async (entry) => {
      throwIfAborted(run.signal)
      const current = await repo.objects.readHeader(entry.id).catch(undefinedIfDamaged)
      if (current === undefined) {
        return // no longer in the store (collected since the plan was made)
      }
      if (entry.base === null) {
        if (isDeltaCodec(current.header.codec)) {
          await repo.objects.replaceEncoding(entry.id, standaloneObject(await cache.get(entry.id)))
          cache.drop(entry.id)
        }
      } else if (!isDeltaCodec(current.header.codec) || current.header.base !== entry.base) {
        if (!(await repo.objects.has(entry.base))) {
          const mean = means.get(entry.base)
          if (!mean) {
            return // its base left the store: keep this tensor standalone
          }
          await writeMean(repo, cache, mean)
        }
        const base = await cache.get(entry.base)
        const encoded =
          payloads?.get(entry.id, entry.base) ??
          deltaObject(
            await cache.get(entry.id),
            base,
            entry.base,
            entry.similarity!,
            entry.standaloneBytes,
          )
        if (encodedSize(encoded) < entry.standaloneBytes) {
          await repo.objects.replaceEncoding(entry.id, encoded, base)
        }
      }
      bytesIn += current.header.length
      bytesOut += (await repo.objects.storedSize(entry.id)) ?? 0
      journal.done = ++completed
      throttle({ phase: 'migrate', done: completed, total, bytesIn, bytesOut }, completed === total)
      if (performance.now() - lastJournalWrite > JOURNAL_INTERVAL_MS) {
        lastJournalWrite = performance.now()
        await writeJournal(repo, journal)
      }
    })
    await setPhase('index')
  }

  if (from <= PHASES.indexOf('index')) {
    const index: ClusteringIndex = {
      version: 1,
      strategy: plan.strategy,
      threshold: plan.threshold,
      migratedAt: new Date().toISOString(),
      clusters: plan.clusters.map((c) => ({
        id: c.id,
        group: c.group,
        referenceId: c.referenceId,
        referenceKind: c.referenceKind,
        members: [...c.members],
      })),
    }
    await writeIndex(repo, index)
    await setPhase('cleanup')
  }

  if (from <= PHASES.indexOf('cleanup')) {
    // Only now, with everything else durable, remove what nothing needs.
    await removeUnneeded(repo, run.signal)
    await setPhase('validate')
  }
}

/** Writes a planned mean reference (recomputed from its members) and verifies it. */
async function writeMean(repo: Repository, cache: TensorCache, mean: PlanMean): Promise<void> {
  if (await repo.objects.has(mean.id)) {
    await repo.objects.read(mean.id) // verifies; a damaged one raises ObjectCorrupt
    return
  }
  const members: Tensor[] = []
  for (const id of mean.members) {
    members.push(await cache.get(id))
  }
  const tensor = meanTensor(members)
  if (tensorId(tensor) !== mean.id) {
    throw new CoralError(
      'Internal',
      `The mean reference ${shortId(mean.id)} did not recompute to its planned id`,
      {
        id: mean.id,
      },
    )
  }
  await repo.objects.write(tensor, mean.id)
  await repo.objects.read(mean.id)
  cache.put(mean.id, tensor)
}

/**
 * Removes objects that neither a live tensor nor any live delta chain needs,
 * and temporary files of killed writers. Call under the write lock.
 */
export async function removeUnneeded(
  repo: Repository,
  signal?: AbortSignal,
): Promise<{ removedObjects: number; removedBytes: number }> {
  const live = await liveObjectIds(repo)
  let removedObjects = 0
  let removedBytes = 0
  const dead: string[] = []
  for await (const id of repo.objects.ids()) {
    throwIfAborted(signal)
    if (!live.has(id)) {
      removedBytes += (await repo.objects.storedSize(id)) ?? 0
      dead.push(id)
      removedObjects++
    }
  }
  await repo.objects.deleteMany(dead)
  // Re-encoded objects are loose files now; drop the packed records they replace.
  removedBytes += await repo.objects.repack()
  for (const file of await repo.objects.tempFiles()) {
    await rm(file, { force: true })
  }
  return { removedObjects, removedBytes }
}
