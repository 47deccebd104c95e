/**
 * When the guarded HDF5 reader gives up (a call overran its time limit, or
 * the reader thread died), the import stops with that error instead of
 * converting the repository without the tensors it could no longer read.
 *
 * Found by the torture run (import-coral, seed 1, trial 9, under the load of
 * two fuzzers beside it). Bug R9 in docs/RELIABILITY.md: a time limit cannot
 * tell a damaged weights.h5 from a machine too busy to answer within 2 s;
 * after one overrun the reader refuses every further call, and
 * `readUnchecked`'s caller turned each refusal into an 'unreadable' tensor,
 * which the importer drops from the commit tree. The rerun of an
 * interrupted in-place import thus exited 0 with two commits missing 10 and
 * 21 of their 33 tensors. Fixed: errors marked `readerGaveUp`
 * (core/pycoral/guarded-h5.ts) propagate out of `read`, so the import fails,
 * the original stays in place, and rerunning it on a quieter machine works.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, describe, expect, it, vi } from 'vitest'

import { CoralError } from '../errors.js'
import { importPythonCoral } from './import-into.js'
import type { ImportSink } from './import-sink.js'

/** After this many dataset reads the reader "gives up", as guarded-h5 does after a timeout. */
let giveUpAfter = Number.POSITIVE_INFINITY

vi.mock('./guarded-h5.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./guarded-h5.js')>()
  return {
    ...actual,
    GuardedH5Reader: {
      async open(filePath: string) {
        const real = await actual.GuardedH5Reader.open(filePath)
        let reads = 0
        let dead = false
        const guard = <T>(fn: () => T): T => {
          if (dead)
            throw new CoralError('MalformedFile', `${filePath}: not read further`, {
              readerGaveUp: true,
            })
          return fn()
        }
        return {
          filePath,
          keys: (group: string) => guard(() => real.keys(group)),
          has: (p: string) => guard(() => real.has(p)),
          rootAttributes: () => guard(() => real.rootAttributes()),
          attributes: (p: string) => guard(() => real.attributes(p)),
          filters: (p: string) => guard(() => real.filters(p)),
          read: (p: string) =>
            guard(() => {
              if (++reads > giveUpAfter) {
                dead = true
                throw new CoralError(
                  'MalformedFile',
                  `${filePath}: did not answer within 2000 ms`,
                  { readerGaveUp: true },
                )
              }
              return real.read(p)
            }),
          close: () => real.close(),
        }
      },
    },
  }
})

const fixture = path.resolve(import.meta.dirname, '../../../shared/fixtures/coral-py/v1.1')
const root = mkdtempSync(path.join(os.tmpdir(), 'coral-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function memorySink(): ImportSink & { commits: number } {
  const sink = {
    commits: 0,
    writeTensor: async () => `t${Math.random()}`,
    async writeCommit() {
      return `c${sink.commits++}`
    },
    async setBranch() {},
    async setTag() {},
    async setHead() {},
  }
  return sink
}

describe('an HDF5 reader that gives up (R9)', () => {
  it('imports everything while the reader answers', async () => {
    giveUpAfter = Number.POSITIVE_INFINITY
    const source = path.join(root, 'whole')
    cpSync(fixture, source, { recursive: true })

    const result = await importPythonCoral(source, memorySink())

    expect(result.tensors.filter((t) => t.status === 'unreadable')).toEqual([])
  })

  it('stops the import instead of dropping the tensors it can no longer read', async () => {
    giveUpAfter = 40
    const source = path.join(root, 'gave-up')
    cpSync(fixture, source, { recursive: true })
    const sink = memorySink()

    const error = await importPythonCoral(source, sink).then(
      () => undefined,
      (e: unknown) => e,
    )

    expect(error).toBeInstanceOf(CoralError)
    expect(error).toMatchObject({ code: 'MalformedFile', data: { readerGaveUp: true } })
    expect(sink.commits).toBeLessThan(5)
  })
})
