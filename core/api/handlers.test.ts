import fs from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { trajectoryRepo } from '../migrate/test-repos.js'
import type { TensorDetail } from './contract.js'
import { createCoreHandlers } from './handlers.js'
import type { RequestContext } from './handlers-type.js'

/** A context that is never cancelled and drops progress. */
function context(): RequestContext {
  return { signal: new AbortController().signal, progress: () => {} }
}

describe('api/handlers', () => {
  const roots: string[] = []
  afterEach(() => {
    for (const root of roots.splice(0)) {
      fs.rmSync(root, { recursive: true, force: true })
    }
  })

  it('tensorDetail shows statistics, a histogram, and for a clustered tensor its reference and delta size', async () => {
    // Arrange: a training trajectory, migrated so that later checkpoints become deltas
    const { repo, expected } = await trajectoryRepo({ checkpoints: 4, noise: 0.002 })
    roots.push(repo.root)
    const handlers = createCoreHandlers()
    await handlers.openRepository({ path: repo.root }, context())
    const report = await handlers.migrate(
      {
        strategy: 'hierarchical',
        threshold: 0.9,
        backup: false,
        dryRun: false,
        batchSize: 16,
        force: false,
      },
      context(),
    )
    expect(report.clusteredTensors).toBeGreaterThan(0)

    // Act: read the detail of every tensor of every commit
    const details: TensorDetail[] = []
    for (const [commit, tensors] of expected) {
      for (const name of tensors.keys()) {
        details.push(await handlers.tensorDetail({ name, ref: commit }, context()))
      }
    }

    // Assert: figures come from the stored tensor, deltas name their reference
    for (const detail of details) {
      const tensor = expected.get(detail.commit)!.get(detail.name)!
      expect(detail.byteLength).toBe(tensor.data.length)
      expect(detail.stats).not.toBeNull()
      const counted = detail.histogram!.counts.reduce((a, b) => a + b, 0)
      expect(counted).toBe(detail.byteLength / 4 - detail.stats!.nans - detail.stats!.infinities)
      expect(detail.histogram!.edges).toHaveLength(detail.histogram!.counts.length + 1)
    }
    const deltas = details.filter((d) => d.storage.kind === 'delta')
    expect(deltas.length).toBeGreaterThan(0)
    for (const delta of deltas) {
      expect(delta.storage.referenceId).toMatch(/^[0-9a-f]{64}$/)
      expect(delta.storage.referenceId).not.toBe(delta.id)
      expect(delta.storage.similarity).toBeGreaterThanOrEqual(0.9)
      expect(delta.storage.storedBytes).toBeGreaterThan(0)
      expect(delta.storage.storedBytes).toBeLessThan(delta.byteLength)
    }
    const standalone = details.filter((d) => d.storage.kind === 'standalone')
    for (const detail of standalone) {
      expect(detail.storage.referenceId).toBeNull()
    }
  })

  it.runIf(fs.existsSync('/proc/self/fd'))(
    'opening repository after repository keeps no file of the previous one open',
    async () => {
      const repos = [
        await trajectoryRepo({ checkpoints: 2 }),
        await trajectoryRepo({ checkpoints: 2 }),
      ]
      for (const { repo } of repos) roots.push(repo.root)
      const handlers = createCoreHandlers()
      const openFiles = () => fs.readdirSync('/proc/self/fd').length
      const openAndRead = async (i: number) => {
        const { repo, expected } = repos[i % 2]!
        await handlers.openRepository({ path: repo.root }, context())
        const [commit, tensors] = [...expected][0]!
        await handlers.tensorDetail({ name: [...tensors.keys()][0]!, ref: commit }, context())
      }
      await openAndRead(0)
      const before = openFiles()
      for (let i = 1; i <= 40; i++) await openAndRead(i)
      // Each open used to keep the previous repository's pack files open.
      expect(openFiles() - before).toBeLessThan(5)
    },
  )

  it('tensorDetail of a name not in the commit fails with NotFound', async () => {
    const { repo } = await trajectoryRepo({ checkpoints: 1 })
    roots.push(repo.root)
    const handlers = createCoreHandlers()
    await handlers.openRepository({ path: repo.root }, context())

    const error = await handlers.tensorDetail({ name: 'no.such.tensor' }, context()).catch((e) => e)

    expect((error as { code?: string }).code).toBe('NotFound')
  })
})
