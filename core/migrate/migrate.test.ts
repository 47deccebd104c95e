import fs from 'node:fs'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { STRATEGIES } from '../api/contract.js'
import { CoralError } from '../errors.js'
import { Repository } from '../repo/repository.js'
import { allEdgeTensors, nudgedF32 } from '../test/tensors.js'
import type { Tensor } from '../tensor/tensor.js'
import { createBackup, deleteBackup, listBackups, restoreBackup } from './backup.js'
import { readClusteringState, readIndex } from './clustering-index.js'
import { readJournal } from './journal.js'
import { dryRun, migrate } from './migrate.js'
import { installMixedMode } from './mixed-mode.js'
import { optimize } from './optimize.js'
import { planMigration, sweep } from './planner.js'
import { clusteringStatus } from './status.js'
import { baseValues, expectBitExact, hashTree, tempDir, trajectoryRepo } from './test-repos.js'
import { validateRepository } from './validate.js'

/**
 * The real store size lands within the prediction's stated error bound:
 * every object is predicted exactly; only pack-index bytes are estimated.
 */
function expectWithinBound(actual: number, predicted: number): void {
  expect(actual).toBeLessThanOrEqual(predicted)
  expect(Math.abs(actual / predicted - 1)).toBeLessThan(0.02)
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (error) {
    if (error instanceof CoralError) return error.code
    throw error
  }
  return undefined
}

describe('migrate/migrate', () => {
  it.each(STRATEGIES)('round-trips every dtype and edge value bit-exact (%s)', async (strategy) => {
    const { repo, expected } = await trajectoryRepo({ extra: allEdgeTensors() })
    const report = await migrate(repo, { strategy, threshold: 0.5 })
    expect(report.validation.ok).toBe(true)
    expect(report.clusteredTensors).toBeGreaterThan(0)
    expect(report.storedBytesAfter).toBeLessThan(report.storedBytesBefore)
    expectWithinBound(report.storedBytesAfter, report.predictedStoredBytes)
    expect(await expectBitExact(repo, expected)).toBeGreaterThan(100)
    const state = await readClusteringState(repo)
    expect(state).toMatchObject({
      migrated: true,
      strategy,
      threshold: 0.5,
      clusteredTensors: report.clusteredTensors,
    })
  })

  it('uses a synthesized mean reference when it encodes smaller, bit-exact', async () => {
    // Eight I8 tensors, each the same base with 10% of elements moved by one:
    // the mean is the base, closer to every member than any member is.
    const repo = await Repository.init(tempDir())
    let seed = 7
    const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32
    const base = Int8Array.from({ length: 8192 }, () => Math.round((rnd() - 0.5) * 100))
    const expected = new Map<string, Map<string, Tensor>>()
    for (let c = 0; c < 8; c++) {
      const values = Int8Array.from(base, (x) => (rnd() < 0.1 ? x + (rnd() < 0.5 ? 1 : -1) : x))
      const tensor: Tensor = { dtype: 'I8', shape: [8192], data: new Uint8Array(values.buffer) }
      await repo.stageWeights({ w: tensor })
      expected.set((await repo.commit(`c${c}`)).id, new Map([['w', tensor]]))
    }
    const report = await migrate(repo, { strategy: 'hierarchical', threshold: 0.5 })
    const cluster = (await readIndex(repo))!.clusters[0]!
    expect(cluster.referenceKind).toBe('mean')
    expect(report.clusteredTensors).toBe(8)
    expectWithinBound(report.storedBytesAfter, report.predictedStoredBytes)
    await expectBitExact(repo, expected)
    // The reference is in no commit, yet survives cleanup and validation.
    expect(await repo.objects.has(cluster.referenceId)).toBe(true)
    expect((await validateRepository(repo, { fix: false })).problems).toEqual([])
  })

  it('threshold 1 leaves everything standalone; threshold 0 clusters', async () => {
    const strict = await trajectoryRepo()
    const none = await migrate(strict.repo, { strategy: 'hierarchical', threshold: 1 })
    expect(none.clusteredTensors).toBe(0)
    await expectBitExact(strict.repo, strict.expected)
    const loose = await trajectoryRepo()
    const all = await migrate(loose.repo, { strategy: 'kmeans', threshold: 0 })
    expect(all.clusteredTensors).toBeGreaterThan(0)
    await expectBitExact(loose.repo, loose.expected)
  })

  it('migrates an empty repository and groups of one', async () => {
    const repo = await Repository.init(tempDir())
    const empty = await migrate(repo, { strategy: 'adaptive', threshold: 0.9 })
    expect(empty).toMatchObject({ tensorsProcessed: 0, clustersCreated: 0 })
    expect(empty.validation.ok).toBe(true)
    const single = await trajectoryRepo({ checkpoints: 1 })
    const report = await migrate(single.repo, { strategy: 'dbscan', threshold: 0.9 })
    expect(report.clusteredTensors).toBe(0)
    await expectBitExact(single.repo, single.expected)
  })

  it('refuses a second migration without --force and re-clusters with it', async () => {
    const { repo, expected } = await trajectoryRepo()
    await migrate(repo, { strategy: 'hierarchical', threshold: 0.5 })
    const error = await migrate(repo, { strategy: 'kmeans', threshold: 0.9 }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(CoralError)
    expect((error as CoralError).code).toBe('AlreadyMigrated')
    expect((error as CoralError).message).toMatch(
      /already migrated \(hierarchical, threshold 0\.5, .*--force re-clusters/,
    )
    const again = await migrate(repo, { strategy: 'kmeans', threshold: 0.3, force: true })
    expect(again.validation.ok).toBe(true)
    expect((await readIndex(repo))?.strategy).toBe('kmeans')
    await expectBitExact(repo, expected)
  })

  it.each([
    ['sketch', 1],
    ['plan', 1],
    ['flatten', 3],
    ['migrate', 1],
    ['migrate', 9],
    // After the index and cleanup: the migration is not finished until validated.
    ['validate', 1],
  ])('resumes after cancellation at %s event %i', async (phase, n) => {
    const { repo, expected } = await trajectoryRepo({ checkpoints: 6 })
    const controller = new AbortController()
    let events = 0
    const code = await codeOf(
      migrate(
        repo,
        { strategy: 'hierarchical', threshold: 0.5, batchSize: 4 },
        {
          signal: controller.signal,
          progressIntervalMs: 0,
          onProgress: (p) => {
            if (p.phase === phase && ++events === n) controller.abort()
          },
        },
      ),
    )
    expect(code).toBe('Cancelled')
    // Whatever the point, the repository opens and reads every tensor exactly.
    const reopened = await Repository.open(repo.root)
    await expectBitExact(reopened, expected)
    // ...and validates: a paused migration is a state, not a problem.
    const midway = await validateRepository(reopened, { fix: false })
    expect(midway.problems).toEqual([])
    expect(midway.ok).toBe(true)
    const journalLeft = (await readJournal(reopened)) !== undefined
    expect(midway.pendingMigration !== null).toBe(journalLeft)
    const resumed = await migrate(reopened, {
      strategy: 'hierarchical',
      threshold: 0.5,
      batchSize: 4,
    })
    expect(journalLeft).toBe(phase === 'flatten' || phase === 'migrate' || phase === 'validate')
    if (phase === 'validate') expect(midway.pendingMigration?.phase).toBe('validate')
    expect(resumed.resumed).toBe(journalLeft)
    expect(resumed.validation.ok).toBe(true)
    expect(await readJournal(reopened)).toBeUndefined()
    await expectBitExact(reopened, expected)
  })

  it('reports resumed: true when a journal was left', async () => {
    const { repo, expected } = await trajectoryRepo({ checkpoints: 5 })
    const controller = new AbortController()
    let migrating = 0
    await codeOf(
      migrate(
        repo,
        { strategy: 'kmeans', threshold: 0.5 },
        {
          signal: controller.signal,
          progressIntervalMs: 0,
          onProgress: (p) => {
            if (p.phase === 'migrate' && ++migrating === 3) controller.abort()
          },
        },
      ),
    )
    expect(await readJournal(repo)).toBeDefined()
    const resumed = await migrate(repo, { strategy: 'kmeans', threshold: 0.5 })
    expect(resumed.resumed).toBe(true)
    expectWithinBound(resumed.storedBytesAfter, resumed.predictedStoredBytes)
    await expectBitExact(repo, expected)
  })

  it('dry run writes nothing and predicts the real result', async () => {
    const { repo } = await trajectoryRepo()
    const before = hashTree(repo.root)
    const plan = await dryRun(repo, { strategy: 'adaptive', threshold: 0.5 })
    const analysis = await planMigration(repo, { strategy: 'adaptive', threshold: 0.5 })
    await sweep(repo, 'hierarchical', [0.2, 0.9])
    expect(hashTree(repo.root)).toBe(before)
    expect(plan.backupBytes).toBeGreaterThan(0)
    expect(plan.clusteringQuality).toBeGreaterThan(0.9)
    expect(plan.clusteringQuality).toBeLessThan(1)
    expect(analysis.predictedStoredBytes).toBe(plan.predictedStoredBytes)
    // Reports carry the cluster map: one point per sketched tensor.
    expect(plan.projection.points.length).toBe(plan.uniqueTensors)
    expect(analysis.projection.points.map((p) => p.tensorId)).toEqual(
      plan.projection.points.map((p) => p.tensorId),
    )
    const real = await migrate(repo, { strategy: 'adaptive', threshold: 0.5 })
    expect(Math.abs(real.storedBytesAfter / plan.predictedStoredBytes - 1)).toBeLessThan(0.02)
  })

  it('status measures the store', async () => {
    const { repo } = await trajectoryRepo()
    const report = await migrate(repo, { strategy: 'hierarchical', threshold: 0.5 })
    const status = await clusteringStatus(repo)
    expect(status.storedBytes).toBe(report.storedBytesAfter)
    expect(status.clusteredTensors).toBe(report.clusteredTensors)
    expect(status.bytesSaved).toBeGreaterThan(0)
    expect(status.reduction).toBeCloseTo(status.bytesSaved / status.standaloneBytes)
  })
})

describe('migrate/validate', () => {
  it('repairs temp files, a damaged index, orphans and a corrupt delta from a backup', async () => {
    const { repo, expected } = await trajectoryRepo()
    const report = await migrate(repo, { strategy: 'hierarchical', threshold: 0.5, backup: true })
    expect(report.backupPath).toMatch(/\.coral_backup_\d{8}_\d{6}$/)
    // Damage: a temp file, a broken index, an orphan, a corrupt delta object.
    const delta = (await readIndex(repo))!.clusters[0]!.members[0]!
    fs.writeFileSync(path.join(repo.coralDir, 'objects', '.tmp-123-abcd-x'), 'partial')
    fs.writeFileSync(path.join(repo.coralDir, 'clustering.json'), '{ not json')
    const orphan = await repo.objects.write({
      dtype: 'U8',
      shape: [3],
      data: Uint8Array.of(1, 2, 3),
    })
    const file = repo.objects.pathOf(delta)
    const bytes = fs.readFileSync(file)
    bytes[bytes.length - 5] ^= 0xff
    fs.writeFileSync(file, bytes)

    const found = await validateRepository(repo, { fix: false })
    expect(found.ok).toBe(false)
    const kinds = found.problems.map((p) => p.kind).sort()
    expect(kinds).toEqual(
      expect.arrayContaining(['corrupt-object', 'damaged-index', 'orphan-object', 'temp-file']),
    )
    expect(found.problems.find((p) => p.kind === 'orphan-object')?.tensorId).toBe(orphan.id)

    const fixed = await validateRepository(repo, { fix: true })
    expect(fixed.ok).toBe(true)
    expect(fixed.unfixed).toBe(0)
    const clean = await validateRepository(repo, { fix: false })
    expect(clean.problems).toEqual([])
    expect((await readIndex(repo))?.rebuilt).toBe(true)
    await expectBitExact(repo, expected)
  })

  it('finishes an unfinished migration with --fix', async () => {
    const { repo, expected } = await trajectoryRepo()
    const controller = new AbortController()
    await codeOf(
      migrate(
        repo,
        { strategy: 'hierarchical', threshold: 0.5 },
        {
          signal: controller.signal,
          progressIntervalMs: 0,
          onProgress: (p) => p.phase === 'migrate' && controller.abort(),
        },
      ),
    )
    const found = await validateRepository(repo, { fix: false })
    expect(found.pendingMigration?.phase).toBe('encode')
    const fixed = await validateRepository(repo, { fix: true })
    expect(fixed.ok).toBe(true)
    expect(fixed.pendingMigration).toBeNull()
    expect(fixed.problems.filter((p) => p.kind === 'unfinished-migration')).toMatchObject([
      { fixed: true },
    ])
    expect(await readJournal(repo)).toBeUndefined()
    expect((await readIndex(repo))?.strategy).toBe('hierarchical')
    await expectBitExact(repo, expected)
  })
})

describe('migrate/backup', () => {
  it('creates, lists, restores and deletes backups', async () => {
    const { repo, expected } = await trajectoryRepo({ checkpoints: 2 })
    const first = await createBackup(repo)
    const second = await createBackup(repo)
    expect(second.id).not.toBe(first.id)
    expect(first.bytes).toBeGreaterThan(0)
    expect((await listBackups(repo)).map((b) => b.id)).toEqual([first.id, second.id])
    // Change the repository, then restore the first backup.
    await migrate(repo, { strategy: 'kmeans', threshold: 0.5 })
    // Each backup records what it holds: the commits and whether it is clustered.
    const third = await createBackup(repo)
    expect((await listBackups(repo)).map((b) => [b.commits, b.clustered])).toEqual([
      [2, false],
      [2, false],
      [2, true],
    ])
    await deleteBackup(repo, third.id)
    await restoreBackup(repo, first.id)
    expect(await readIndex(repo)).toBeUndefined()
    expect(hashTree(path.join(repo.coralDir, 'objects'))).toBe(
      hashTree(path.join(first.path, '.coral', 'objects')),
    )
    await expectBitExact(repo, expected)
    expect((await deleteBackup(repo, first.id)).map((b) => b.id)).toEqual([second.id])
    expect(await codeOf(deleteBackup(repo, first.id))).toBe('NotFound')
    expect(await codeOf(restoreBackup(repo, '../etc'))).toBe('InvalidArgument')
  })
})

describe('migrate/mixed-mode and optimize', () => {
  it('stores a new similar tensor as a delta against a cluster reference', async () => {
    const { repo } = await trajectoryRepo()
    await migrate(repo, { strategy: 'hierarchical', threshold: 0.5 })
    expect(await installMixedMode(repo)).toBe(true)
    const latest = await repo.getWeight('layer0.weight')
    const next = nudgedF32(new Float32Array(latest.data.slice().buffer), 0.001, 99, [32, 64])
    const { staged } = await repo.stageWeights({ 'layer0.weight': next })
    const header = await repo.objects.readHeader(staged[0]!.id)
    expect(header.header.codec).toBe('diff-planes-zstd')
    expect(header.storedBytes).toBeLessThan(header.header.standaloneBytes!)
    expect(Buffer.from((await repo.objects.read(staged[0]!.id)).data)).toEqual(
      Buffer.from(next.data),
    )
  })

  it('optimize clusters tensors added since the migration', async () => {
    const { repo } = await trajectoryRepo()
    await migrate(repo, { strategy: 'hierarchical', threshold: 0.5 })
    const latest = await repo.getWeight('layer1.weight')
    const next = nudgedF32(new Float32Array(latest.data.slice().buffer), 0.001, 7, [32, 64])
    await repo.stageWeights({
      'layer1.weight': next,
      fresh: { dtype: 'F32', shape: [8], data: new Uint8Array(baseValues(8, 5).buffer) },
    })
    await repo.commit('after migration')
    const report = await optimize(repo)
    expect(report.reencoded).toBe(1)
    expect(report.bytesAfter).toBeLessThan(report.bytesBefore)
    expect(Buffer.from((await repo.getWeight('layer1.weight')).data)).toEqual(
      Buffer.from(next.data),
    )
    expect((await validateRepository(repo, { fix: false })).ok).toBe(true)
  })
})
