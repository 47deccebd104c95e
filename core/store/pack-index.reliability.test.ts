/**
 * A pack index that names a pack file which is not there (a damaged index,
 * or a pack removed by hand) must end in a documented `CoralError`, not a
 * raw ENOENT that the CLI reports as an internal error. Found by
 * scripts/fuzz-stores.ts (target `pack-index`, seed 1, cases 2 and 50);
 * bug R5 in docs/RELIABILITY.md: the pack descriptor is opened with
 * `openSync` in core/store/packs.ts and an ENOENT that persisted after the
 * index reload escaped as a plain Error. Fixed: it is now ObjectCorrupt.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { CoralError } from '../errors.js'
import { Repository } from '../repo/repository.js'

let root: string

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'coral-'))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('a pack index naming a missing pack', () => {
  it('R5: reading a tensor raises ObjectCorrupt or NotFound', async () => {
    const repo = await Repository.init(root)
    await repo.stageWeights({ w: { dtype: 'F32', shape: [4], data: new Uint8Array(16).fill(9) } })
    await repo.commit('one')
    const packDir = path.join(repo.objects.dir, 'pack')
    const idx = readdirSync(packDir).find((n) => n.endsWith('.idx'))!
    const index = JSON.parse(readFileSync(path.join(packDir, idx), 'utf8'))
    index.pack = 'pack-gone-000000000000.pack'
    writeFileSync(path.join(packDir, idx), JSON.stringify(index))

    const reopened = await Repository.open(root)
    const error = await reopened.getWeight('w').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CoralError)
    expect(['ObjectCorrupt', 'NotFound']).toContain((error as CoralError).code)
  })
})
