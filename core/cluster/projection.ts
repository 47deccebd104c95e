/**
 * A 2-D map of sketches for the UI: principal component analysis.
 *
 * PCA is deterministic and explainable (distance on the map is distance
 * along the two directions where the sketches vary most). It comes from
 * `@saehrimnir/druidjs` (works under Node ESM; about 0.3 s for 2000 x 256).
 * The map is capped (the renderer's SVG scatter slows past ~2000 points),
 * with a seeded sample of the points when there are more.
 */
import { PCA } from '@saehrimnir/druidjs'

import { CoralError } from '../errors.js'
import { sampleIndices } from './random.js'

/** Points on the map unless told otherwise. */
export const DEFAULT_PROJECTION_CAP = 2000

/** One projected sketch. */
export interface ProjectedPoint {
  /** Index of the sketch in the input. */
  index: number
  x: number
  y: number
}

/** The projection of a set of sketches. */
export interface Projection {
  /** At most `cap` points, in input order. */
  points: ProjectedPoint[]
  /** Number of sketches given (projected or not). */
  total: number
  cap: number
}

/** Options of `projectSketches`. */
export interface ProjectionOptions {
  /** Most points returned (default 2000). */
  cap?: number
  /** Seed of the sample and of the eigen-solver (default 0). */
  seed?: number
}

/**
 * Projects sketches to 2-D with PCA, on a deterministic sample of at most `cap`.
 *
 * Degenerate inputs (one point, identical points) map to the origin rather
 * than to NaN.
 */
export function projectSketches(
  sketches: readonly Float32Array[],
  options: ProjectionOptions = {},
): Projection {
  const cap = options.cap ?? DEFAULT_PROJECTION_CAP
  const seed = options.seed ?? 0
  if (!Number.isSafeInteger(cap) || cap < 1) {
    throw new CoralError('InvalidArgument', `projection cap must be a positive integer, got ${cap}`)
  }
  const total = sketches.length
  const chosen = sampleIndices(total, cap, seed)
  if (chosen.length < 2) {
    return { points: chosen.map((index) => ({ index, x: 0, y: 0 })), total, cap }
  }
  const rows = chosen.map((i) => Array.from(sketches[i]!))
  const dims = rows[0]!.length
  let coordinates: number[][]
  if (dims < 2) {
    coordinates = rows.map((row) => [row[0] ?? 0, 0])
  } else {
    // druid's eigen-solver takes a seed; same input, same picture.
    coordinates = PCA.transform(rows, { d: 2, seed: seed + 1 }) as number[][]
  }
  const finite = (v: number | undefined): number => (v !== undefined && Number.isFinite(v) ? v : 0)
  return {
    points: chosen.map((index, j) => ({
      index,
      x: finite(coordinates[j]?.[0]),
      y: finite(coordinates[j]?.[1]),
    })),
    total,
    cap,
  }
}
