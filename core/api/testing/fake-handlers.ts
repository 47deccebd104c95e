/**
 * Test-only handlers that answer instantly, report progress and honour cancel.
 *
 * Used by the worker, UI server and web bridge tests so they exercise the
 * real processes and sockets without touching a repository.
 */
import { CoralError } from '../../errors.js'
import type { ClusterPlan, RepoSummary } from '../contract.js'
import type { CoreHandlers } from '../handlers-type.js'
import { CORE_METHODS } from '../validate-params.js'

/** Number of progress reports `analyze` makes, all within one tick. */
export const FAKE_ANALYZE_STEPS = 1000

/**
 * Creates the fake handlers.
 *
 * - `openRepository`: paths containing `missing` fail with `NotARepository`,
 *   `boom` throws a plain Error (reported as `Internal`), others succeed.
 * - `openDemoRepository`: opens `/demo-<worker pid>`, so a restarted worker
 *   that builds "the demo" again lands on a different path.
 * - `summary`: fails with `NotARepository` until a repository is open.
 * - `analyze`: reports `FAKE_ANALYZE_STEPS` progress steps, then answers.
 * - `migrate`: reports one progress step, then waits until cancelled.
 * - every other method fails with `Unsupported`.
 */
export function createFakeHandlers(): CoreHandlers {
  let openPath: string | null = null
  const unsupported = Object.fromEntries(
    CORE_METHODS.map((method) => [
      method,
      async () => {
        throw new CoralError('Unsupported', `${method} is not faked.`)
      },
    ]),
  ) as unknown as CoreHandlers

  return {
    ...unsupported,
    async openRepository({ path }) {
      if (path.includes('missing')) {
        throw new CoralError('NotARepository', `${path}: not a Coral repository.`, { path })
      }
      if (path === 'boom') {
        throw new Error('boom')
      }
      openPath = path
      return fakeSummary(path)
    },
    async openDemoRepository() {
      openPath = `/demo-${process.pid}`
      return fakeSummary(openPath)
    },
    async summary() {
      if (openPath === null) {
        throw new CoralError('NotARepository', 'No repository is open.')
      }
      return fakeSummary(openPath)
    },
    async detectRepository() {
      return { kind: 'none' }
    },
    async analyze(params, ctx) {
      const total = FAKE_ANALYZE_STEPS
      for (let done = 1; done <= total; done++) {
        ctx.progress({ phase: 'sketch', done, total, bytesIn: done * 4, bytesOut: 0 })
      }
      return { ...params, uniqueTensors: total } as unknown as ClusterPlan
    },
    async migrate(_params, ctx) {
      ctx.progress({ phase: 'encode', done: 0, total: 10, bytesIn: 0, bytesOut: 0 })
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) {
          resolve()
        }
        ctx.signal.addEventListener('abort', () => resolve(), { once: true })
      })
      throw new CoralError('Cancelled', 'The operation was cancelled.')
    },
  }
}

function fakeSummary(path: string): RepoSummary {
  return {
    path,
    head: { branch: 'main', commit: null },
    commits: 0,
    branches: ['main'],
    tags: [],
    tensorVersions: 0,
    uniqueTensors: 0,
    rawBytes: 0,
    storedBytes: 0,
    staged: 0,
    clustering: {
      migrated: false,
      strategy: null,
      threshold: null,
      clusters: 0,
      clusteredTensors: 0,
      standaloneTensors: 0,
      lastMigration: null,
    },
  }
}
