/**
 * One entry point for every clustering strategy over sketches.
 *
 * The migration engine groups unique tensors by dtype and shape, sketches
 * each one (`sketch.ts`), then calls `clusterSketches` per group. The result
 * is a canonical partition (`result.ts`): clusters of two or more, the rest
 * standalone. The 'adaptive' choice is the engine's (by measured encoded
 * bytes on a sample); `proposeStrategies` lists the candidates worth trying.
 */
import { CoralError } from '../errors.js'
import { dbscanSteps } from './dbscan.js'
import { HIERARCHICAL_LIMIT, hierarchicalSteps, type Linkage } from './hierarchical.js'
import { kmeansSteps } from './kmeans.js'
import type { ClusterResult, ClusterStrategy } from './result.js'
import { runSteps, runStepsAsync, type Steps } from './steps.js'

/** The strategies `clusterSketches` runs. */
export const CLUSTER_STRATEGIES: readonly ClusterStrategy[] = ['kmeans', 'hierarchical', 'dbscan']

/** Options of `clusterSketches`. */
export interface ClusterSketchesOptions {
  strategy: ClusterStrategy
  /** Minimum cosine similarity between a member and its reference, 0 to 1. */
  threshold: number
  /** Seed of every random choice (default 0). Same seed, same result. */
  seed?: number
  /** Cancels the run; checked between iterations, then `Cancelled` is thrown. */
  signal?: AbortSignal
  /** Hierarchical linkage (default `'complete'`). */
  linkage?: Linkage
  /** Hierarchical group-size limit before the k-means partition fallback. */
  hierarchicalLimit?: number
}

function validate(sketches: readonly Float32Array[], options: ClusterSketchesOptions): void {
  const { strategy, threshold, seed } = options
  if (!CLUSTER_STRATEGIES.includes(strategy)) {
    throw new CoralError('InvalidArgument', `unknown clustering strategy '${String(strategy)}'`, {
      strategy,
    })
  }
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new CoralError(
      'InvalidArgument',
      `threshold must be a number from 0 to 1, got ${threshold}`,
      {
        threshold,
      },
    )
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new CoralError('InvalidArgument', `seed must be an integer, got ${seed}`)
  }
  const dims = sketches[0]?.length
  sketches.forEach((sketch, i) => {
    if (!(sketch instanceof Float32Array) || sketch.length !== dims || dims === 0) {
      throw new CoralError(
        'InvalidArgument',
        `sketch ${i} is not a Float32Array of the same non-zero length as sketch 0 (${dims})`,
      )
    }
  })
}

function stepsFor(
  sketches: readonly Float32Array[],
  options: ClusterSketchesOptions,
): Steps<ClusterResult> {
  const { threshold, seed = 0 } = options
  switch (options.strategy) {
    case 'kmeans':
      return kmeansSteps(sketches, { threshold, seed })
    case 'hierarchical':
      return hierarchicalSteps(sketches, {
        threshold,
        seed,
        ...(options.linkage === undefined ? {} : { linkage: options.linkage }),
        ...(options.hierarchicalLimit === undefined ? {} : { limit: options.hierarchicalLimit }),
      })
    case 'dbscan':
      return dbscanSteps(sketches, {
        threshold,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })
  }
}

/**
 * Clusters the sketches of one dtype-and-shape group.
 *
 * Sketches must be `Float32Array`s of one length (normally L2-normalised, from
 * `sketchTensor`). Runs synchronously; `signal` is checked between
 * iterations, which helps when it can fire meanwhile (another thread, or an
 * earlier abort). In an event-loop worker prefer `clusterSketchesAsync`.
 * Throws `InvalidArgument` for bad options and `Cancelled` on abort.
 */
export function clusterSketches(
  sketches: readonly Float32Array[],
  options: ClusterSketchesOptions,
): ClusterResult {
  validate(sketches, options)
  return runSteps(stepsFor(sketches, options), options.signal)
}

/**
 * `clusterSketches`, yielding to the event loop every few milliseconds so an
 * abort message is seen while it runs.
 */
export async function clusterSketchesAsync(
  sketches: readonly Float32Array[],
  options: ClusterSketchesOptions,
): Promise<ClusterResult> {
  validate(sketches, options)
  return runStepsAsync(stepsFor(sketches, options), options.signal)
}

/**
 * Strategies worth measuring for a group of `size` tensors, cheapest first.
 *
 * Groups of 0 or 1 need none. Hierarchical (complete linkage) gives the
 * tightest clusters and is exact up to its limit; DBSCAN's chains find long
 * training trajectories; k-means is the cheapest on very large groups.
 */
export function proposeStrategies(size: number): ClusterStrategy[] {
  if (size < 2) {
    return []
  }
  return size <= HIERARCHICAL_LIMIT
    ? ['hierarchical', 'dbscan', 'kmeans']
    : ['kmeans', 'dbscan', 'hierarchical']
}
