/**
 * A repository of the twelve real `lm` training checkpoints, for flows the
 * small demo finishes too fast to interrupt.
 *
 * It is built once per Playwright worker through the CLI (`init`, then `add`
 * and `commit` per checkpoint, about 20 s) into a template folder, and every
 * test gets its own copy, so tests stay independent.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { buildRepository, test as base } from './ui-server.js'

/** The checkpoints: `/work/shared/zoo/lm`, read in place. */
export const ZOO_LM = path.resolve(import.meta.dirname, '../../../shared/zoo/lm')

/** The checkpoint files in history order (sorted names are training order). */
export function lmCheckpoints(): string[] {
  return fs
    .readdirSync(ZOO_LM)
    .filter((f) => f.endsWith('.safetensors'))
    .sort()
    .map((f) => path.join(ZOO_LM, f))
}

/** `test` whose server serves a fresh copy of the `lm` repository (`coral-ml ui <repo>`). */
export const test = base.extend<{ lmRepo: string }, { lmTemplate: string }>({
  lmTemplate: [
    async ({}, use) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coral-e2e-lm-'))
      try {
        await use(await buildRepository(dir, 'lm', lmCheckpoints()))
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  lmRepo: async ({ lmTemplate, workDir }, use) => {
    const repo = path.join(workDir, 'lm')
    fs.cpSync(lmTemplate, repo, { recursive: true })
    await use(repo)
  },
  uiArgs: async ({ lmRepo }, use) => {
    await use([lmRepo])
  },
})

export { expect } from './ui-server.js'
