import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

import { allEdgeTensors, randomTensor } from '../test/tensors.js'
import { Repository } from './repository.js'

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'coral-repo-'))
}

describe('repo/repository', () => {
  it('round-trips every dtype and edge value bit-exactly', async () => {
    const repo = await Repository.init(tempDir())
    const tensors = allEdgeTensors()

    await repo.stageWeights(tensors)
    const commit = await repo.commit('edges')
    const reopened = await Repository.open(repo.root)
    const back = await reopened.getAllWeights(commit.id)

    expect([...back.keys()].sort()).toEqual(Object.keys(tensors).sort())
    for (const [name, tensor] of Object.entries(tensors)) {
      const read = back.get(name)!
      expect(read.dtype).toBe(tensor.dtype)
      expect(read.shape).toEqual(tensor.shape)
      expect(Buffer.from(read.data).equals(Buffer.from(tensor.data))).toBe(true)
    }
  })

  it('stores exact duplicates once and snapshots the parent tree', async () => {
    const repo = await Repository.init(tempDir())
    const a = randomTensor('F32', [64, 64])
    const b = randomTensor('F32', [64])

    await repo.stageWeights({ a, b })
    const first = await repo.commit('first')
    await repo.stageWeights({ 'a.copy': a })
    const second = await repo.commit('second', { tags: ['v1'] })

    const ids = []
    for await (const id of repo.objects.ids()) ids.push(id)
    expect(ids).toHaveLength(2)
    expect(Object.keys(await repo.tree(second.id)).sort()).toEqual(['a', 'a.copy', 'b'])
    expect(second.parents).toEqual([first.id])
    expect(await repo.resolveRef('v1')).toBe(second.id)
    expect(await repo.resolveRef(second.id.slice(0, 8))).toBe(second.id)
  })

  it('raises ObjectCorrupt naming tensor and commit when a stored byte flips', async () => {
    const repo = await Repository.init(tempDir())
    const w = randomTensor('F32', [256])
    const staged = await repo.stageWeights({ 'layer.weight': w })
    const commit = await repo.commit('c')
    const where = (await repo.objects.locate(staged.staged[0]!.id))!
    const bytes = readFileSync(where.file)
    bytes[where.offset + where.length - 5] ^= 0x01
    writeFileSync(where.file, bytes)

    const error = await repo.getWeight('layer.weight').catch((e: unknown) => e)

    expect(error).toMatchObject({ code: 'ObjectCorrupt' })
    expect((error as Error).message).toContain('layer.weight')
    expect((error as Error).message).toContain(commit.id.slice(0, 12))
  })

  it('refuses an empty commit and bad ref names', async () => {
    const repo = await Repository.init(tempDir())
    await expect(repo.commit('nothing')).rejects.toMatchObject({ code: 'NothingToCommit' })
    await repo.stageWeights({ x: randomTensor('I8', [3]) })
    await repo.commit('x')
    await expect(repo.createBranch('../escape')).rejects.toMatchObject({ code: 'InvalidRef' })
    await expect(repo.createTag('/abs')).rejects.toMatchObject({ code: 'InvalidRef' })
  })

  it('supports branches, detached HEAD and commits on a detached HEAD', async () => {
    const repo = await Repository.init(tempDir())
    await repo.stageWeights({ x: randomTensor('F16', [4]) })
    const c1 = await repo.commit('one')
    await repo.createBranch('exp')
    await repo.checkout('exp')
    await repo.stageWeights({ y: randomTensor('F16', [4]) })
    const c2 = await repo.commit('two')

    expect(await repo.resolveRef('exp')).toBe(c2.id)
    expect(await repo.resolveRef('main')).toBe(c1.id)
    const detached = await repo.checkout(c1.id)
    expect(detached).toEqual({ branch: null, commit: c1.id })
    await repo.stageWeights({ z: randomTensor('F16', [4]) })
    const c3 = await repo.commit('three')
    expect((await repo.headState()).commit).toBe(c3.id)
    await expect(repo.deleteBranch('nope')).rejects.toMatchObject({ code: 'NotFound' })
  })

  it('lets one writer proceed and tells the other who holds the lock', async () => {
    const repo = await Repository.init(tempDir())
    const holder = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { acquireLock } from ${JSON.stringify(new URL('../store/lock.ts', import.meta.url).href)};
         await acquireLock(${JSON.stringify(repo.coralDir)}, 'test-holder'); console.log('locked'); setTimeout(() => {}, 30000)`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()))

    const error = await repo.stageWeights({ x: randomTensor('U8', [2]) }).catch((e: unknown) => e)
    holder.kill('SIGKILL')
    await new Promise((resolve) => holder.once('exit', resolve))

    expect(error).toMatchObject({ code: 'RepoLocked' })
    expect((error as Error).message).toContain(`pid ${holder.pid}`)
    expect((error as Error).message).toContain('test-holder')

    // The holder died: its lock is stale and is taken over.
    const taken: unknown[] = []
    await repo.withWriteLock(
      'after',
      async () => undefined,
      (previous) => taken.push(previous),
    )
    expect(taken).toHaveLength(1)
  })
})
