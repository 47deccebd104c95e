/**
 * Source data of the torture runs: zoo checkpoints, their tensor hashes, and
 * small repositories built from them with one commit per file.
 */
import { createHash } from 'node:crypto'
import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

import { readWeightFile } from '../../core/formats/weight-file.js'
import { prepareRepository } from '../../core/repo/prepare.js'
import { Repository } from '../../core/repo/repository.js'
import { PROJECT_ROOT } from './cli-process.js'

/** The shared model zoo (read in place, never copied into the project). */
export const ZOO = path.resolve(PROJECT_ROOT, '..', 'shared', 'zoo')

/** The Python-Coral fixtures (read-only: copy before use). */
export const PY_FIXTURES = path.resolve(PROJECT_ROOT, '..', 'shared', 'fixtures', 'coral-py')

/** A tensor as the torture checks compare it: dtype, shape and SHA-256 of its bytes. */
export interface TensorDigest {
  dtype: string
  shape: string
  sha256: string
}

/** Tensor name to digest for one weight file. */
export type FileDigest = Map<string, TensorDigest>

/** The zoo files a torture repository is built from, in history order. */
export function zooFiles(lm: number, ft: number, folder = 'lm'): string[] {
  const pick = (dir: string, n: number) =>
    readdirSync(path.join(ZOO, dir))
      .filter((f) => f.endsWith('.safetensors') && !f.includes('partial'))
      .sort()
      .slice(0, n)
      .map((f) => path.join(ZOO, dir, f))
  return [...pick(folder, lm), ...pick('ft', ft)]
}

/** The commit message a file's commit gets: its base name. */
export function messageOf(file: string): string {
  return path.basename(file)
}

/** Digests every tensor of a weight file. */
export async function digestFile(file: string): Promise<FileDigest> {
  const out: FileDigest = new Map()
  for await (const { name, tensor } of readWeightFile(file)) {
    out.set(name, {
      dtype: tensor.dtype,
      shape: tensor.shape.join(','),
      sha256: createHash('sha256').update(tensor.data).digest('hex'),
    })
  }
  return out
}

/** Builds a repository at `root` with one commit per file (message = file name). */
export async function buildRepository(root: string, files: string[]): Promise<void> {
  const repo = await prepareRepository(await Repository.init(root))
  for (const [i, file] of files.entries()) {
    const entries: [string, import('../../core/tensor/tensor.js').Tensor][] = []
    for await (const { name, tensor } of readWeightFile(file)) entries.push([name, tensor])
    await repo.stageWeights(entries)
    // Fixed times keep commit ids stable across runs of the same seed.
    await repo.commit(messageOf(file), {
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    })
  }
}

/** Copies a folder tree (the template of a trial). */
export function copyTree(from: string, to: string): void {
  cpSync(from, to, { recursive: true })
}

/** SHA-256 over every file's relative path and bytes under `dir` (sorted). */
export function hashTree(dir: string): string {
  const hash = createHash('sha256')
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub)).sort()) {
      const rel = path.join(sub, name)
      const full = path.join(dir, rel)
      if (statSync(full).isDirectory()) walk(rel)
      else hash.update(`${rel}\0`).update(readFileSync(full))
    }
  }
  if (existsSync(dir)) walk('')
  return hash.digest('hex')
}
