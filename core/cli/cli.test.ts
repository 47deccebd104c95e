/**
 * The coral-ml CLI end to end, as a user runs it: the built bin in a child
 * process, on real checkpoints from ../shared/zoo.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { beforeAll, describe, expect, it } from 'vitest'

import { readWeightFile } from '../formats/weight-file.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const BIN = path.join(ROOT, 'bin/coral-ml.js')
const ZOO = path.resolve(ROOT, '../shared/zoo')

/** The fixtures are read-only; a copy must be writable to be converted in place. */
function chmodRecursive(dir: string): void {
  chmodSync(dir, 0o755)
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry)
    if (statSync(full).isDirectory()) chmodRecursive(full)
    else chmodSync(full, 0o644)
  }
}

function cli(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

async function tensorsOf(file: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>()
  for await (const { name, tensor } of readWeightFile(file)) out.set(name, Buffer.from(tensor.data))
  return out
}

describe('cli/coral-ml', () => {
  let repo: string
  const files = readdirSync(path.join(ZOO, 'lm'))
    .sort()
    .slice(0, 3)
    .map((f) => path.join(ZOO, 'lm', f))

  beforeAll(() => {
    repo = path.join(mkdtempSync(path.join(os.tmpdir(), 'coral-cli-')), 'repo')
    expect(cli(os.tmpdir(), 'init', repo).status).toBe(0)
    for (const [i, file] of files.entries()) {
      expect(cli(repo, 'add', file).status).toBe(0)
      expect(
        cli(repo, 'commit', '-m', `step ${i}`, ...(i === 2 ? ['--tag', 'last'] : [])).status,
      ).toBe(0)
    }
  })

  it('logs the commits as one JSON document when asked', () => {
    const log = cli(repo, '--json', 'log')

    const commits = JSON.parse(log.stdout) as { message: string; tensors: number }[]
    expect(log.status).toBe(0)
    expect(commits.map((c) => c.message)).toEqual(['step 2', 'step 1', 'step 0'])
    expect(commits.every((c) => c.tensors === 54)).toBe(true)
    expect(log.stderr).toBe('')
  })

  it('exports every commit bit-exactly against its source file', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'coral-cli-export-'))
    for (const [i, file] of files.entries()) {
      const target = path.join(out, `${i}.safetensors`)
      const ref = i === 2 ? 'last' : `HEAD`
      if (i < 2) {
        const log = JSON.parse(cli(repo, '--json', 'log').stdout) as { id: string }[]
        expect(cli(repo, 'export', log[2 - i]!.id, target).status).toBe(0)
      } else {
        expect(cli(repo, 'export', ref, target).status).toBe(0)
      }
      const expected = await tensorsOf(file)
      const actual = await tensorsOf(target)
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort())
      for (const [name, bytes] of expected) expect(actual.get(name)!.equals(bytes)).toBe(true)
    }
  })

  it('branches, checks out and shows a tensor with statistics', () => {
    expect(cli(repo, 'branch', 'exp').status).toBe(0)
    expect(cli(repo, 'checkout', 'exp').stdout).toContain('Switched to branch exp')
    const show = JSON.parse(cli(repo, '--json', 'show', 'head.weight').stdout)
    expect(show.dtype).toBe('F32')
    expect(show.stats.std).toBeGreaterThan(0)
    expect(cli(repo, 'checkout', 'main').status).toBe(0)
  })

  it('prints one line and a documented exit status for bad input, and changes nothing', () => {
    const bad = path.join(os.tmpdir(), `coral-bad-${process.pid}.safetensors`)
    writeFileSync(bad, Buffer.from([255, 255, 255, 255, 255, 255, 255, 127, 123]))
    const before = cli(repo, '--json', 'status').stdout

    const result = cli(repo, 'add', bad)

    expect(result.status).toBe(7)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain(bad)
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/)
    expect(cli(repo, '--json', 'status').stdout).toBe(before)
    expect(cli(repo, 'checkout', 'no-such-ref').status).toBe(4)
    expect(cli(os.tmpdir(), 'log').status).toBe(3)
  })

  it('refuses a Python coral-ml repository with a pointer to import-coral', () => {
    const result = cli(path.join(ROOT, '../shared/fixtures/coral-py/v1.1'), 'log')
    expect(result.status).toBe(3)
    expect(result.stderr).toContain('import-coral')
  })

  it('imports a Python coral-ml repository in place, keeping the original as a backup', () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'coral-cli-inplace-'))
    cpSync(
      path.join(ROOT, '../shared/fixtures/coral-py/clustering-era/.coral'),
      path.join(copy, '.coral'),
      { recursive: true },
    )
    chmodRecursive(path.join(copy, '.coral'))

    const result = cli(copy, '--json', 'import-coral', '.')

    expect(result.status).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.dialect).toBe('clustering-era')
    expect(path.basename(report.backupPath)).toMatch(/^\.coral_backup_\d{8}_\d{6}$/)
    expect(readdirSync(path.join(report.backupPath, 'objects'))).toContain('weights.h5')
    expect(cli(copy, '--json', 'branch').stdout).toContain('"ft"')
  })

  it('imports a Python coral-ml repository to a new folder with a report', () => {
    const target = path.join(mkdtempSync(path.join(os.tmpdir(), 'coral-cli-import-')), 'converted')
    const result = cli(
      ROOT,
      '--json',
      'import-coral',
      path.join(ROOT, '../shared/fixtures/coral-py/v1.1'),
      '--to',
      target,
    )
    expect(result.status).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.commits).toBe(5)
    expect(report.verified + report.unverifiable).toBe(165)
    expect(cli(target, 'log', '--oneline').stdout.trim().split('\n')).toHaveLength(4)
  })
})
