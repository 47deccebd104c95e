/**
 * Test helpers: small repositories with histories of similar tensors.
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { Repository } from '../repo/repository.js'
import { nudgedF32 } from '../test/tensors.js'
import type { Tensor } from '../tensor/tensor.js'

/** A fresh temporary folder. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'coral-'))
}

/** Deterministic pseudo-normal float32 values. */
export function baseValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return (state + 0.5) / 4294967296
  }
  const out = new Float32Array(count)
  for (let i = 0; i < count; i++) {
    out[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next()) * 0.05
  }
  return out
}

/**
 * A repository with `checkpoints` commits of a small "model": each commit
 * nudges every float tensor of the previous one a little (a training
 * trajectory); `extra` tensors are added to the first commit unchanged.
 * Returns every committed tensor by commit and name, for bit-exact checks.
 */
export async function trajectoryRepo(
  options: { checkpoints?: number; extra?: Record<string, Tensor>; noise?: number } = {},
): Promise<{ repo: Repository; expected: Map<string, Map<string, Tensor>> }> {
  const repo = await Repository.init(tempDir())
  const shapes: Record<string, number[]> = {
    'layer0.weight': [32, 64],
    'layer1.weight': [32, 64],
    'head.weight': [16, 32],
    'layer0.bias': [32],
  }
  const current = new Map<string, Float32Array>()
  Object.entries(shapes).forEach(([name, shape], i) => {
    current.set(
      name,
      baseValues(
        shape.reduce((a, b) => a * b, 1),
        i + 1,
      ),
    )
  })
  const expected = new Map<string, Map<string, Tensor>>()
  for (let c = 0; c < (options.checkpoints ?? 4); c++) {
    const weights: Record<string, Tensor> = c === 0 ? { ...(options.extra ?? {}) } : {}
    for (const [name, shape] of Object.entries(shapes)) {
      const tensor = nudgedF32(
        current.get(name)!,
        options.noise ?? 0.01,
        c * 100 + name.length,
        shape,
      )
      current.set(name, new Float32Array(tensor.data.slice().buffer))
      weights[name] = tensor
    }
    await repo.stageWeights(weights)
    const commit = await repo.commit(`checkpoint ${c}`, {
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, c)).toISOString(),
    })
    const tree = await repo.tree(commit.id)
    const snapshot = new Map<string, Tensor>()
    const previous = c === 0 ? new Map<string, Tensor>() : [...expected.values()].at(-1)!
    for (const name of Object.keys(tree)) {
      snapshot.set(name, weights[name] ?? previous.get(name)!)
    }
    expected.set(commit.id, snapshot)
  }
  return { repo, expected }
}

/** Throws unless every tensor of every listed commit reads back bit-exact. */
export async function expectBitExact(
  repo: Repository,
  expected: Map<string, Map<string, Tensor>>,
): Promise<number> {
  let checked = 0
  for (const [commit, tensors] of expected) {
    for (const [name, tensor] of tensors) {
      const read = await repo.getWeight(name, commit)
      if (
        read.dtype !== tensor.dtype ||
        read.shape.join() !== tensor.shape.join() ||
        Buffer.compare(Buffer.from(read.data), Buffer.from(tensor.data)) !== 0
      ) {
        throw new Error(`tensor ${name} of ${commit.slice(0, 8)} differs after migration`)
      }
      checked++
    }
  }
  return checked
}

/** Hash of every file (path and bytes) under a folder, for "nothing written" checks. */
export function hashTree(dir: string): string {
  const hash = createHash('sha256')
  const walk = (d: string) => {
    for (const entry of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, entry.name)
      hash.update(path.relative(dir, full))
      if (entry.isDirectory()) walk(full)
      else hash.update(fs.readFileSync(full))
    }
  }
  walk(dir)
  return hash.digest('hex')
}
