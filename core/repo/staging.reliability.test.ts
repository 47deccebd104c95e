/**
 * A damaged staging area (`.coral/staging.json`) must end in a clear error,
 * never in a commit that names tensors the store does not hold. Found by
 * scripts/fuzz-stores.ts (target `staging`); bug R4 in docs/RELIABILITY.md:
 * `Repository.readStaging` (core/repo/repository.ts) accepted any JSON value
 * as a tensor id and `commit` recorded it without checking the store, after
 * which `cluster validate` failed with `Internal` ("id.slice is not a
 * function") on the non-string id. Fixed: staging entries and commit fields
 * are checked when read, and staged ids against the store on commit.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { CoralError } from '../errors.js'
import { validateRepository } from '../migrate/validate.js'
import { canonicalJson, commitId, type Commit } from '../store/commit-store.js'
import type { Tensor } from '../tensor/tensor.js'
import { Repository } from './repository.js'

let root: string
let repo: Repository

const t: Tensor = { dtype: 'F32', shape: [4], data: new Uint8Array(16).fill(3) }
const badCommit: Commit = {
  tree: { w: 5 as unknown as string },
  parents: [],
  message: 'bad',
  author: 'a',
  email: 'e',
  timestamp: '2026-01-01T00:00:00.000Z',
  tags: [],
}

beforeEach(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'coral-'))
  repo = await Repository.init(root)
  await repo.stageWeights({ w: t })
  await repo.commit('first')
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

function stage(entries: unknown): void {
  writeFileSync(path.join(repo.coralDir, 'staging.json'), JSON.stringify({ entries }))
}

async function commitError(): Promise<CoralError | undefined> {
  const head = await repo.headCommit()
  try {
    await repo.commit('from damaged staging')
  } catch (error) {
    expect(await repo.headCommit()).toBe(head)
    return error as CoralError
  }
  return undefined
}

describe('a damaged staging area', () => {
  it('R4: refuses a staged id that is not a string', async () => {
    stage({ a: 5 })
    expect((await commitError())?.code).toBe('ObjectCorrupt')
  })

  it('R4: refuses a staged id that is not an object id', async () => {
    stage({ a: 'zz' })
    expect((await commitError())?.code).toBe('ObjectCorrupt')
  })

  it('R4: refuses a staged id the store does not hold', async () => {
    stage({ a: 'ab'.repeat(32) })
    expect(['ObjectCorrupt', 'NotFound']).toContain((await commitError())?.code)
  })

  it('R4: refuses to write a commit whose tree holds a number', async () => {
    const error = await repo.writeCommit({ ...badCommit }).catch((e: unknown) => e)
    expect((error as CoralError).code).toBe('InvalidArgument')
  })

  it('R4: validate reports, not crashes, on a commit tree holding a number', async () => {
    // Written by hand (another tool, or damage) under the id it hashes to.
    const id = commitId(badCommit)
    mkdirSync(path.join(repo.commits.dir, id.slice(0, 2)), { recursive: true })
    writeFileSync(
      path.join(repo.commits.dir, id.slice(0, 2), id.slice(2)),
      canonicalJson(badCommit),
    )
    await repo.refs.write('heads', 'bad', id)
    const report = await validateRepository(repo, { fix: false })
    expect(report.ok).toBe(false)
  })
})
