/**
 * Every command that succeeds exits 0. Bug R1 in docs/RELIABILITY.md:
 * `backup create|restore|list|delete` and `cluster analyze|status|optimize
 * --json` returned the value of `ctx.out(...)`/`ctx.printJson(...)` (a
 * boolean from `stream.write`) from `run`; `runCli` (core/cli/main.ts)
 * passed it on as the exit status and bin/coral-ml.js failed with
 * ERR_INVALID_ARG_TYPE (exit 1) after the work was done. Fixed: the
 * context's writers return nothing. Needs the CLI built (`npm run build:core`).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { runCli } from '../../scripts/torture/cli-process.js'

const root = mkdtempSync(path.join(os.tmpdir(), 'coral-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('exit status of successful commands', () => {
  it('creates the backup (precondition)', async () => {
    expect((await runCli(['init', root])).code).toBe(0)
    await runCli(['-C', root, 'backup', 'create'])
    const list = await runCli(['-C', root, '--json', 'backup', 'list'])
    expect(list.stdout).toContain('.coral_backup_')
  })

  it('R1: backup create exits 0', async () => {
    const outcome = await runCli(['-C', root, 'backup', 'create'])
    expect(outcome.stderr).toBe('')
    expect(outcome.code).toBe(0)
  })

  it('R1: cluster status --json exits 0', async () => {
    const outcome = await runCli(['-C', root, '--json', 'cluster', 'status'])
    expect(outcome.code).toBe(0)
  })
})
