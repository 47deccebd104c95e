/**
 * An I/O error (EIO from a failing disk) while reading a repository file is
 * an I/O error, never "the file is absent" or "the file is damaged".
 *
 * Found by the EIO injection of scripts/reliability/faults.ts (`commit`, read
 * call 9 of 15). Bug R7 in docs/RELIABILITY.md: `RefStore.read` took any read
 * error for a missing ref, so `commit` with an unreadable branch ref made a
 * root commit and moved the branch to it, leaving the history unreachable
 * (and collectable by gc). The same pattern made an unreadable config say
 * "not a Coral repository", staging "nothing to commit", a pack index
 * "damaged", a commit "does not exist", and a journal "no migration pending".
 * Fixed: only ENOENT/ENOTDIR mean absent (core/store/read-if-present.ts).
 *
 * Bug R8: `withDeltaBases` (gc, validate, status) and `optimize` skipped an
 * object whose header read failed for any reason; for an I/O error that
 * could leave a delta base out of the live set that gc keeps. Fixed: only a
 * missing or damaged object (a CoralError other than IoError) is skipped.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { CoralError } from '../errors.js'
import { readJournal } from '../migrate/journal.js'
import { withDeltaBases } from '../repo/gc.js'
import { Repository } from '../repo/repository.js'
import type { Tensor } from '../tensor/tensor.js'

/** Files whose next reads fail with EIO (matched against the path's end). */
const failing = new Set<string>()

function failIfChosen(file: unknown): void {
  const name = String(file)
  for (const end of failing) {
    if (name.endsWith(end)) {
      throw Object.assign(new Error(`EIO: i/o error, open '${name}'`), {
        code: 'EIO',
        errno: -5,
        path: name,
      })
    }
  }
}

// Small metadata files are read synchronously, larger ones asynchronously: fail both.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>()
  const readFile = (async (file: unknown, ...rest: unknown[]) => {
    failIfChosen(file)
    return (actual.readFile as (...args: unknown[]) => Promise<unknown>)(file, ...rest)
  }) as typeof actual.readFile
  return { ...actual, readFile, default: { ...actual, readFile } }
})
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>()
  const readFileSync = ((file: unknown, ...rest: unknown[]) => {
    failIfChosen(file)
    return (actual.readFileSync as (...args: unknown[]) => unknown)(file, ...rest)
  }) as typeof actual.readFileSync
  return { ...actual, readFileSync, default: { ...actual, readFileSync } }
})

let root: string
let repo: Repository
const t = (fill: number): Tensor => ({
  dtype: 'F32',
  shape: [4],
  data: new Uint8Array(16).fill(fill),
})

beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'coral-'))
  repo = await Repository.init(root)
  await repo.stageWeights({ w: t(1) })
  await repo.commit('first')
  await repo.stageWeights({ w: t(2) })
  failing.clear()
})

afterEach(() => {
  failing.clear()
  rmSync(root, { recursive: true, force: true })
})

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  )
}

describe('an I/O error is not absence (R7)', () => {
  it('commit with an unreadable branch ref fails and keeps the history', async () => {
    const first = await repo.headCommit()
    failing.add(path.join('refs', 'heads', 'main'))

    const error = await rejection(repo.commit('second'))
    failing.clear()

    expect(error).toMatchObject({ code: 'EIO' })
    expect(await repo.headCommit()).toBe(first)
    const second = await repo.commit('second')
    expect(second.parents).toEqual([first])
  })

  it('an unreadable commit file is an I/O error, not NotFound', async () => {
    const head = (await repo.headCommit())!
    failing.add(head.slice(2))

    expect(await rejection(repo.commits.read(head))).toMatchObject({ code: 'EIO' })
  })

  it('an unreadable staging area is an I/O error, not "nothing to commit"', async () => {
    failing.add('staging.json')

    expect(await rejection(repo.readStaging())).toMatchObject({ code: 'EIO' })
  })

  it('an unreadable journal is an I/O error, not "no migration pending"', async () => {
    failing.add(path.join('migration', 'journal.json'))

    expect(await rejection(readJournal(repo))).toMatchObject({ code: 'EIO' })
  })

  it('an unreadable config is an I/O error, not "not a repository"', async () => {
    failing.add(path.join('.coral', 'config.json'))

    expect(await rejection(Repository.open(root))).toMatchObject({ code: 'EIO' })
  })
})

describe('an I/O error on an object header is not damage (R8)', () => {
  const fakeRepo = (error: unknown) =>
    ({
      objects: {
        readHeader: (id: string) =>
          id === 'delta' ? Promise.resolve({ header: { base: 'base' } }) : Promise.reject(error),
      },
    }) as unknown as Repository

  it('withDeltaBases raises an I/O error instead of dropping the object', async () => {
    const eio = Object.assign(new Error('EIO'), { code: 'EIO' })

    expect(await rejection(withDeltaBases(fakeRepo(eio), new Set(['delta', 'other'])))).toBe(eio)
    expect(
      await rejection(
        withDeltaBases(fakeRepo(new CoralError('IoError', 'disk')), new Set(['other'])),
      ),
    ).toMatchObject({
      code: 'IoError',
    })
  })

  it('withDeltaBases still skips a missing or damaged object', async () => {
    const live = await withDeltaBases(
      fakeRepo(new CoralError('ObjectCorrupt', 'damaged')),
      new Set(['delta', 'other']),
    )

    expect([...live].sort()).toEqual(['base', 'delta', 'other'])
  })
})
