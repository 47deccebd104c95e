/**
 * Path escape: hostile branch, tag, HEAD and tensor names (`../`, absolute
 * paths, NUL, very long names) in a crafted Python-Coral repository, in
 * weight files given to `add`, and as CLI ref arguments must never create a
 * file outside the repository. Every hostile location a naive
 * `path.join(folder, name)` would reach is checked to not exist afterwards.
 * Needs the CLI built (`npm run build:core`).
 */
import { randomBytes } from 'node:crypto'
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { runCli } from '../../scripts/torture/cli-process.js'
import { PY_FIXTURES } from '../../scripts/torture/fixtures.js'
import { readSafetensors, writeSafetensors } from '../formats/safetensors.js'
import type { Tensor } from '../tensor/tensor.js'

const sandbox = mkdtempSync(path.join(os.tmpdir(), 'coral-'))
const tag = `escaped-${randomBytes(4).toString('hex')}`
afterAll(() => rmSync(sandbox, { recursive: true, force: true }))

/** Every place a naive join of `name` onto `bases` would write. */
function naiveTargets(bases: string[], name: string): string[] {
  return bases.map((base) => path.resolve(base, name))
}

/** Files anywhere under the sandbox or at the naive targets whose name carries the tag. */
function escapes(targets: string[]): string[] {
  const found = targets.filter((t) => existsSync(t) && !t.startsWith(path.join(sandbox, 'keep')))
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.name.includes(tag)) found.push(full)
      if (entry.isDirectory()) walk(full)
    }
  }
  walk(sandbox)
  return found
}

function tensor(n: number): Tensor {
  return {
    dtype: 'F32',
    shape: [n],
    data: new Uint8Array(new Float32Array(n).map((_, i) => i * 0.5).buffer),
  }
}

/** Depth-many `../` then the tag: climbs out of any folder the importer writes in. */
const climb = `${'../'.repeat(12)}tmp/${tag}`

describe('hostile names in a Python-Coral repository', () => {
  it('imports without writing outside the target folder', async () => {
    const source = path.join(sandbox, 'py')
    cpSync(path.join(PY_FIXTURES, 'v1.1'), source, { recursive: true })
    const coral = path.join(source, '.coral')
    // A tag named by a version file, HEAD naming a branch outside refs/, and
    // tensor names in a commit that climb out or are absolute.
    const versions = path.join(coral, 'versions')
    for (const file of readdirSync(versions)) {
      const version = JSON.parse(readFileSync(path.join(versions, file), 'utf8'))
      version.name = climb
      writeFileSync(path.join(versions, file), JSON.stringify(version))
    }
    writeFileSync(path.join(coral, 'HEAD'), `ref: refs/heads/${climb}\n`)
    const commits = path.join(coral, 'objects', 'commits')
    const hostileNames = [climb, `/tmp/${tag}-abs`, `${tag}-${'x'.repeat(2000)}`, `a\u0000${tag}`]
    for (const file of readdirSync(commits)) {
      const commit = JSON.parse(readFileSync(path.join(commits, file), 'utf8'))
      const names = Object.keys(commit.weight_hashes)
      hostileNames.forEach((hostile, i) => {
        const name = names[i]
        if (name === undefined) return
        commit.weight_hashes[hostile] = commit.weight_hashes[name]
        delete commit.weight_hashes[name]
        if (commit.delta_weights?.[name] !== undefined) {
          commit.delta_weights[hostile] = commit.delta_weights[name]
          delete commit.delta_weights[name]
        }
      })
      writeFileSync(path.join(commits, file), JSON.stringify(commit))
    }
    const out = path.join(sandbox, 'imported')
    const result = await runCli(['--json', 'import-coral', source, '--to', out])

    // Either a documented refusal or a completed import; never a crash.
    expect([0, 3, 4, 7], result.stderr).toContain(result.code)
    const bases = [
      out,
      path.join(out, '.coral'),
      path.join(out, '.coral', 'refs', 'heads'),
      path.join(out, '.coral', 'refs', 'tags'),
    ]
    expect(escapes([...naiveTargets(bases, climb), `/tmp/${tag}-abs`, `/tmp/${tag}`])).toEqual([])
  })
})

describe('hostile tensor names through add, commit and export', () => {
  it('keeps hostile names as data and writes only the files asked for', async () => {
    const repo = path.join(sandbox, 'repo')
    expect((await runCli(['init', repo])).code).toBe(0)
    const weights = path.join(sandbox, 'hostile.safetensors')
    const names = [climb, `/tmp/${tag}-abs`, `${tag}-${'y'.repeat(1000)}`, 'plain']
    await writeSafetensors(
      weights,
      names.map((n, i) => [n, tensor(i + 1)] as [string, Tensor]),
      {},
    )
    expect((await runCli(['-C', repo, 'add', weights])).code).toBe(0)
    expect((await runCli(['-C', repo, 'commit', '-m', 'hostile'])).code).toBe(0)
    const exported = path.join(sandbox, 'out.safetensors')
    expect((await runCli(['-C', repo, 'export', 'HEAD', exported])).code).toBe(0)

    const back = new Map<string, Tensor>()
    for await (const { name, tensor: t } of readSafetensors(exported)) back.set(name, t)
    expect([...back.keys()].sort()).toEqual([...names].sort())
    names.forEach((n, i) => expect(back.get(n)!.data).toEqual(tensor(i + 1).data))
    const bases = [
      repo,
      path.join(repo, '.coral'),
      path.join(repo, '.coral', 'objects'),
      path.dirname(exported),
    ]
    expect(escapes([...naiveTargets(bases, climb), `/tmp/${tag}-abs`, `/tmp/${tag}`])).toEqual([])
  })

  it('refuses a tensor name with NUL', async () => {
    const repo = path.join(sandbox, 'repo-nul')
    expect((await runCli(['init', repo])).code).toBe(0)
    // Written by hand: writeSafetensors itself refuses such a name.
    const weights = path.join(sandbox, 'nul.safetensors')
    const header = Buffer.from(
      JSON.stringify({ [`a\u0000${tag}`]: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }),
    )
    const length = Buffer.alloc(8)
    length.writeBigUInt64LE(BigInt(header.length))
    writeFileSync(weights, Buffer.concat([length, header, Buffer.from(tensor(2).data)]))
    const add = await runCli(['-C', repo, '--json', 'add', weights])
    expect([2, 7]).toContain(add.code)
    expect(['InvalidArgument', 'MalformedFile']).toContain(JSON.parse(add.stdout).error.code)
  })
})

describe('hostile ref names on the command line', () => {
  it('refuses branch, tag and checkout names that leave refs/', async () => {
    const repo = path.join(sandbox, 'repo')
    for (const args of [
      ['branch', climb],
      ['branch', `/tmp/${tag}-abs`],
      ['tag', climb],
      ['tag', `${tag}/../../../../${tag}`],
      ['checkout', climb],
    ]) {
      const result = await runCli(['-C', repo, '--json', ...args])
      expect(result.code, args.join(' ')).toBe(4)
      expect(['InvalidRef', 'NotFound']).toContain(JSON.parse(result.stdout).error.code)
    }
    const bases = [
      path.join(repo, '.coral', 'refs', 'heads'),
      path.join(repo, '.coral', 'refs', 'tags'),
    ]
    expect(escapes([...naiveTargets(bases, climb), `/tmp/${tag}-abs`, `/tmp/${tag}`])).toEqual([])
  })
})
