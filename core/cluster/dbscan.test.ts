import { describe, expect, it } from 'vitest'

import { dbscanEpsilon, dbscanSteps } from './dbscan.js'
import { hierarchicalSteps } from './hierarchical.js'
import { runSteps } from './steps.js'

/** Unit vectors on an arc, `step` radians apart. */
function arc(count: number, step: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) =>
    Float32Array.of(Math.cos(i * step), Math.sin(i * step)),
  )
}

describe('cluster/dbscan', () => {
  it('maps the cosine threshold to a Euclidean radius on unit sketches', () => {
    expect(dbscanEpsilon(0.5)).toBeCloseTo(1, 8)
    expect(dbscanEpsilon(0)).toBeCloseTo(Math.SQRT2, 8)
    // Never 0: the library would treat eps 0 as unset and use 1.
    expect(dbscanEpsilon(1)).toBeGreaterThan(0)
    expect(dbscanEpsilon(1)).toBeLessThan(1e-4)
  })

  it('chains neighbours into one cluster (single linkage), unlike complete linkage', () => {
    // Neighbours are 0.1 rad apart (cos 0.995); the ends are 0.9 rad apart (cos 0.62).
    const points = arc(10, 0.1)
    const dbscan = runSteps(dbscanSteps(points, { threshold: 0.99 }))
    expect(dbscan.clusters).toEqual([points.map((_, i) => i)])
    const complete = runSteps(hierarchicalSteps(points, { threshold: 0.99 }))
    expect(complete.clusters.length).toBeGreaterThan(1)
  })

  it('leaves noise points standalone', () => {
    const points = [...arc(3, 0.01), Float32Array.of(-1, 0), Float32Array.of(0, -1)]
    const result = runSteps(dbscanSteps(points, { threshold: 0.99 }))
    expect(result.clusters).toEqual([[0, 1, 2]])
    expect(result.standalone).toEqual([3, 4])
  })

  it('checks the signal inside the library run', () => {
    const points = arc(600, 0.001)
    let checks = 0
    const signal = {
      get aborted() {
        return ++checks > 1
      },
    } as AbortSignal
    const steps = dbscanSteps(points, { threshold: 0.99, signal })
    expect(() => {
      while (!steps.next().done) {
        // fill the matrix without checking; the library run checks
      }
    }).toThrow(expect.objectContaining({ code: 'Cancelled' }))
  })
})
