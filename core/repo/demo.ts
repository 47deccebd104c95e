/**
 * The demo repository: five real bfloat16 checkpoints from `assets/demo`
 * (see scripts/make-demo-assets.ts), one commit per checkpoint, a branch at
 * the second commit and a tag on the last. Small enough to build in a second,
 * real enough that clustering finds something.
 */
import { readdirSync } from 'node:fs'
import path from 'node:path'

import { CoralError } from '../errors.js'
import { readWeightFile } from '../formats/weight-file.js'
import type { Tensor } from '../tensor/tensor.js'
import { Repository } from './repository.js'

/** Where the demo checkpoints are: `CORAL_ASSETS_DIR/demo`, or the checkout's `assets/demo`. */
export function demoAssetsDir(): string {
  const root = process.env.CORAL_ASSETS_DIR ?? path.resolve(import.meta.dirname, '../../../assets')
  return path.join(root, 'demo')
}

/** Builds the demo repository at `target` (which must not hold one yet). */
export async function buildDemoRepository(
  target: string,
  assets = demoAssetsDir(),
): Promise<Repository> {
  let files: string[]
  try {
    files = readdirSync(assets)
      .filter((f) => f.endsWith('.safetensors'))
      .sort()
  } catch {
    throw new CoralError('NotFound', `The demo checkpoints are missing (${assets})`)
  }
  const repo = await Repository.init(target)
  for (const [index, file] of files.entries()) {
    const entries: [string, Tensor][] = []
    for await (const { name, tensor } of readWeightFile(path.join(assets, file)))
      entries.push([name, tensor])
    await repo.stageWeights(entries)
    const step = Number.parseInt(file.replace(/\D/g, ''), 10)
    await repo.commit(`Checkpoint at training step ${step}`, {
      author: 'Coral demo',
      email: 'demo@coral.invalid',
      tags: index === files.length - 1 ? ['v1'] : [],
      // Fixed times keep the demo's commit ids the same on every machine.
      timestamp: new Date(Date.UTC(2026, 0, 1, index)).toISOString(),
    })
    if (index === 1) {
      await repo.createBranch('early')
    }
  }
  return repo
}
