/**
 * The core's request handlers: each contract method mapped to the core.
 *
 * A handler set holds one open repository at a time (the session), as the
 * app and `coral-ml ui` show one repository per window. Params arrive
 * validated by the dispatcher; file-system facts are still checked here.
 */
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import type { RepoSummary, TensorDetail, TensorListing } from './contract.js'
import { CoralError } from '../errors.js'
import { createBackup, deleteBackup, listBackups, restoreBackup } from '../migrate/backup.js'
import { readClusteringState } from '../migrate/clustering-index.js'
import { dryRun, migrate } from '../migrate/migrate.js'
import { installMixedMode } from '../migrate/mixed-mode.js'
import { optimize } from '../migrate/optimize.js'
import { planMigration, sweep } from '../migrate/planner.js'
import { clusteringStatus } from '../migrate/status.js'
import { validateRepository } from '../migrate/validate.js'
import { buildDemoRepository } from '../repo/demo.js'
import { importPythonRepository } from '../repo/import-python.js'
import { Repository, detectRepository } from '../repo/repository.js'
import { summarizeRepository } from '../repo/summary.js'
import { tensorHistogram, tensorStats } from '../repo/tensor-stats.js'
import type { CoreHandlers, RequestContext } from './handlers-type.js'
import { isDeltaCodec } from '../store/object-format.js'

/** Creates the handlers the worker serves. */
export function createCoreHandlers(): CoreHandlers {
  let current: Repository | undefined

  const repo = (): Repository => {
    if (!current) {
      throw new CoralError('InvalidArgument', 'No repository is open; open one first')
    }
    return current
  }
  const open = async (root: string): Promise<RepoSummary> => {
    const opened = await Repository.open(root)
    await installMixedMode(opened)
    current?.close()
    current = opened
    return summarize(opened)
  }
  const run = (ctx: RequestContext) => ({ signal: ctx.signal, onProgress: ctx.progress })

  return {
    openRepository: ({ path: root }) => open(root),

    async openDemoRepository() {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'coral-demo-'))
      await buildDemoRepository(dir)
      return open(dir)
    },

    async detectRepository({ path: root }) {
      return { kind: await detectRepository(path.resolve(root)) }
    },

    async importPythonCoral({ path: root }, ctx) {
      const report = await importPythonRepository(path.resolve(root), run(ctx))
      await open(report.target)
      return report
    },

    summary: async () => summarize(repo()),

    log: async ({ limit }) => repo().log(undefined, limit ?? 200),

    async listTensors({ ref }) {
      const r = repo()
      const tree = await r.tree(ref)
      const listing: TensorListing[] = []
      for (const [name, id] of Object.entries(tree)) {
        const { header } = await r.objects.readHeader(id)
        listing.push({
          name,
          id,
          dtype: header.dtype,
          shape: header.shape,
          byteLength: header.length,
        })
      }
      return listing
    },

    async tensorDetail({ name, ref }): Promise<TensorDetail> {
      const r = repo()
      const commit = await r.resolveRef(ref)
      const id = (await r.tree(commit))[name]
      if (id === undefined) {
        throw new CoralError('NotFound', `Tensor "${name}" is not in commit ${commit.slice(0, 12)}`)
      }
      const tensor = await r.readTensorOf(id, name, commit)
      const { header, storedBytes } = await r.objects.readHeader(id)
      const stats = tensorStats(tensor)
      return {
        name,
        id,
        commit,
        dtype: tensor.dtype,
        shape: [...tensor.shape],
        byteLength: tensor.data.length,
        stats,
        histogram: tensorHistogram(tensor, stats),
        storage: {
          kind: isDeltaCodec(header.codec) ? 'delta' : 'standalone',
          storedBytes,
          referenceId: header.base ?? null,
          similarity: header.similarity ?? null,
        },
      }
    },

    analyze: (options, ctx) => planMigration(repo(), options, run(ctx)),
    dryRun: (options, ctx) => dryRun(repo(), options, run(ctx)),
    sweep: ({ strategy, thresholds }, ctx) => sweep(repo(), strategy, thresholds, run(ctx)),
    migrate: async (options, ctx) => {
      if (options.dryRun) {
        throw new CoralError('InvalidArgument', 'Use the dryRun request for a dry run')
      }
      const report = await migrate(repo(), options, run(ctx))
      await installMixedMode(repo())
      return report
    },
    status: () => clusteringStatus(repo()),
    validate: ({ fix }, ctx) => validateRepository(repo(), { fix, ...run(ctx) }),
    optimize: (_params, ctx) => optimize(repo(), run(ctx)),
    listBackups: () => listBackups(repo()),
    createBackup: (_params, ctx) => createBackup(repo(), run(ctx)),
    async restoreBackup({ id }, ctx) {
      await restoreBackup(repo(), id, run(ctx))
      return open(repo().root)
    },
    deleteBackup: ({ id }) => deleteBackup(repo(), id),
  }
}

async function summarize(repo: Repository): Promise<RepoSummary> {
  return summarizeRepository(repo, await readClusteringState(repo))
}
