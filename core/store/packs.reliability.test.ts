/**
 * A writer killed while it writes a pack index leaves the temporary file
 * `objects/pack/.tmp-<pid>-<rand>-pack-<name>.idx` (empty or a JSON prefix:
 * `writeFileAtomic` opens it, writes, fsyncs, then renames). That leftover is
 * exactly what a SIGKILL in that window produces; these tests recreate it
 * deterministically, because a timed kill lands in a window of a few
 * milliseconds only rarely.
 *
 * Found by core/repo/concurrency.reliability.test.ts (a reader beside a
 * migration hit "Pack index .tmp-...idx is damaged"). Bug R2 in
 * docs/RELIABILITY.md: `PackSet.load` (core/store/packs.ts) lists every name
 * ending in `.idx`, temporary files included. Fixed: the loader skips temporary files.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { validateRepository } from '../migrate/validate.js'
import { Repository } from '../repo/repository.js'
import type { Tensor } from '../tensor/tensor.js'

let root: string

function tensor(seed: number): Tensor {
  const data = new Uint8Array(4096)
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 7) & 0xff
  return { dtype: 'F32', shape: [32, 32], data }
}

async function repoWithPack(): Promise<Repository> {
  const repo = await Repository.init(root)
  await repo.stageWeights({ a: tensor(1), b: tensor(2) })
  await repo.commit('one')
  return repo
}

/** Leaves what a writer killed between open() and rename() of a pack index leaves. */
function leaveKilledIndexWrite(repo: Repository, content: string): void {
  const packDir = path.join(repo.objects.dir, 'pack')
  writeFileSync(path.join(packDir, `.tmp-99999-0badc0de-pack-mx0-000000000000.idx`), content)
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'coral-'))
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('a pack index write killed halfway', () => {
  it('stores the commit in a pack (precondition)', async () => {
    const repo = await repoWithPack()
    expect(readdirSync(path.join(repo.objects.dir, 'pack')).some((n) => n.endsWith('.idx'))).toBe(
      true,
    )
  })

  it('R2: leaves every tensor readable (empty temporary index)', async () => {
    leaveKilledIndexWrite(await repoWithPack(), '')
    const reopened = await Repository.open(root)
    expect((await reopened.getWeight('a')).data).toEqual(tensor(1).data)
  })

  it('R2: leaves every tensor readable (JSON prefix in the temporary index)', async () => {
    leaveKilledIndexWrite(await repoWithPack(), '{"version":1,"pack":"pack-mx0-0000')
    const reopened = await Repository.open(root)
    expect((await reopened.getWeight('b')).data).toEqual(tensor(2).data)
  })

  it('R2: validate --fix removes the leftover and passes', async () => {
    leaveKilledIndexWrite(await repoWithPack(), '')
    const report = await validateRepository(await Repository.open(root), { fix: true })
    expect(report.ok).toBe(true)
    const after = await validateRepository(await Repository.open(root), { fix: false })
    expect(after.problems).toEqual([])
  })
})
