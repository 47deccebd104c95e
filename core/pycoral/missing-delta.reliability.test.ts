/**
 * A Python-Coral tensor stored as a delta whose delta dataset is gone (a
 * damaged weights.h5, or a commit naming a delta that was never written)
 * must not be reported as "verified" with the reference's bytes.
 *
 * Found by scripts/fuzz-stores.ts (target `hdf5`, seed 1, case 19: a
 * mutation that makes /deltas unreadable). Bug R3 in docs/RELIABILITY.md:
 * coral-ml records only the reference's hash for a delta-encoded tensor, so
 * in `readUnchecked` (core/pycoral/read-repository.ts) the branch
 * `hasFull && referenceHash !== hash` with `hasDelta === false` (so
 * `referenceHash === null`) returned the full weight stored under the
 * recorded hash, which may be the cluster reference, as `verified`: a
 * silently wrong tensor. Here the delta is made missing by renaming it in a
 * commit file, which reaches the same branch deterministically. Fixed: such
 * a tensor is now `unverifiable`, with the reason.
 */
import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { mutateStoreFile, STORE_TARGETS } from '../../scripts/fuzz-stores.js'
import { importPythonCoral } from './import-into.js'
import type { ImportSink } from './import-sink.js'

const fixture = path.resolve(import.meta.dirname, '../../../shared/fixtures/coral-py/v1.1')
const root = mkdtempSync(path.join(os.tmpdir(), 'coral-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const golden = JSON.parse(readFileSync(path.join(fixture, 'golden.json'), 'utf8')) as Record<
  string,
  Record<string, { sha256: string }>
>

/** Imports into memory; returns `verified` tensors whose bytes differ from what was committed. */
async function wronglyVerified(source: string): Promise<string[]> {
  const bytes = new Map<string, string>()
  const commits = new Map<string, { message: string; tree: Record<string, string> }>()
  const sink: ImportSink = {
    async writeTensor(tensor) {
      const sha = createHash('sha256').update(tensor.data).digest('hex')
      bytes.set(sha, sha)
      return sha
    },
    async writeCommit(commit) {
      const id = `c${commits.size}`
      commits.set(id, { message: commit.message, tree: commit.tree })
      return id
    },
    async setBranch() {},
    async setTag() {},
    async setHead() {},
  }
  const result = await importPythonCoral(source, sink)
  const wrong: string[] = []
  for (const t of result.tensors) {
    if (t.status !== 'verified') continue
    const commit = commits.get(result.commitIds[t.commit]!)!
    const want = golden[commit.message]?.[t.name]?.sha256
    if (want !== undefined && commit.tree[t.name] !== want)
      wrong.push(`${commit.message}: ${t.name} (${t.detail})`)
  }
  return wrong
}

describe('a delta-encoded tensor whose delta is missing', () => {
  it('imports the undamaged fixture with every verified tensor exact (precondition)', async () => {
    expect(await wronglyVerified(fixture)).toEqual([])
  })

  it('R3: is not reported as verified with its reference bytes', async () => {
    const source = path.join(root, 'py')
    cpSync(fixture, source, { recursive: true })
    const commits = path.join(source, '.coral', 'objects', 'commits')
    let renamed = 0
    for (const file of readdirSync(commits)) {
      const commit = JSON.parse(readFileSync(path.join(commits, file), 'utf8'))
      for (const name of Object.keys(commit.delta_weights ?? {})) {
        commit.delta_weights[name] = 'f'.repeat(16)
        renamed++
      }
      writeFileSync(path.join(commits, file), JSON.stringify(commit))
    }
    expect(renamed).toBeGreaterThan(0)
    expect(await wronglyVerified(source)).toEqual([])
  })
})

/** A copy of the fixture with one commit file (by commit message) edited. */
function withCommitEdited(
  dir: string,
  message: string,
  edit: (commit: Record<string, unknown>) => void,
): string {
  const source = path.join(root, dir)
  cpSync(fixture, source, { recursive: true })
  const commits = path.join(source, '.coral', 'objects', 'commits')
  for (const file of readdirSync(commits)) {
    const commit = JSON.parse(readFileSync(path.join(commits, file), 'utf8')) as Record<
      string,
      unknown
    >
    if (
      (commit['metadata'] as { message?: string } | undefined)?.message !== message &&
      commit['message'] !== message
    )
      continue
    edit(commit)
    writeFileSync(path.join(commits, file), JSON.stringify(commit))
    return source
  }
  throw new Error(`no commit "${message}" in the fixture`)
}

// Found by scripts/fuzz-stores.ts (target py-json, seed 1, cases 137 and 851).
// Bug R10 in docs/RELIABILITY.md: an altered commit file (its hash no longer
// recomputes) was still trusted for 'verified'.
describe('a commit file whose hash does not recompute (R10)', () => {
  it('R10: a removed delta record does not make the reference bytes verified', async () => {
    const source = withCommitEdited('no-delta-record', 'checkpoint step 80', (commit) => {
      commit[''] = commit['delta_weights']
      delete commit['delta_weights']
    })
    expect(await wronglyVerified(source)).toEqual([])
  })

  it('R10: an earlier record made unreadable does not make a replaced small tensor verified', async () => {
    const source = withCommitEdited('hash-escape', 'checkpoint step 80', (commit) => {
      ;(commit['weight_hashes'] as Record<string, string>)['ln.weight'] =
        '../../../../tmp/coral-escape'
    })
    expect(await wronglyVerified(source)).toEqual([])
  })
})

describe('an altered commit timestamp (R10, py-json case 4807)', () => {
  it('R10: a commit moved later in time does not make a later small tensor the first with its hash', async () => {
    const source = withCommitEdited('timestamp', 'checkpoint step 80', (commit) => {
      const metadata = commit['metadata'] as { timestamp: string }
      metadata.timestamp = metadata.timestamp.replace(/-(\d\d)T/, '-\uFFFD3T')
    })
    expect(await wronglyVerified(source)).toEqual([])
  })
})

/**
 * The same ambiguity when the delta dataset is there but its reference_hash
 * attribute cannot be read (found by the hdf5 store fuzz, seed 3, case 655,
 * on the final code of R10/R11: a damaged attribute of /deltas/4f52691f...).
 * The recorded hash of "checkpoint step 160"'s head.weight.f16 is its
 * reference's, whose full weight was then reported as verified. Bug R13 in
 * docs/RELIABILITY.md; the fuzz case itself is the reproducer.
 */
describe('a delta whose reference cannot be read', () => {
  it('leaves the tensor unverifiable instead of verifying its reference', async () => {
    const source = path.join(root, 'unreadable-reference')
    cpSync(fixture, source, { recursive: true })
    const weights = path.join(source, '.coral', 'objects', 'weights.h5')
    const hdf5 = STORE_TARGETS.indexOf('hdf5')
    writeFileSync(
      weights,
      mutateStoreFile(new Uint8Array(readFileSync(weights)), 3, hdf5, 655, false),
    )

    expect(await wronglyVerified(source)).toEqual([])
  }, 60_000)
})
