import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { CoralError } from '../errors.js'
import type { Tensor } from '../tensor/tensor.js'
import { importPythonCoral } from './import-into.js'
import type { ImportSink } from './import-sink.js'

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures/coral-py')

interface GoldenEntry {
  dtype: string
  shape: number[]
  sha256: string
  anchor_read_sha256: string
  anchor_read_matches: boolean
}
type Golden = Record<string, Record<string, GoldenEntry>>

interface StoredCommit {
  tree: Record<string, string>
  parents: string[]
  message: string
  author: string
  email: string
  timestamp: string
  tags: string[]
}

/** An ImportSink that keeps everything in memory; tensor ids are sha256 of raw bytes. */
class MemorySink implements ImportSink {
  readonly tensors = new Map<string, Tensor>()
  readonly commits = new Map<string, StoredCommit>()
  readonly branches = new Map<string, string>()
  readonly tagMap = new Map<string, string>()
  head: { branch: string } | { commit: string } | null = null

  async writeTensor(tensor: Tensor): Promise<string> {
    const id = createHash('sha256').update(tensor.data).digest('hex')
    this.tensors.set(id, tensor)
    return id
  }
  async writeCommit(commit: StoredCommit): Promise<string> {
    for (const parent of commit.parents) {
      expect(this.commits.has(parent)).toBe(true)
    }
    const id = `c${this.commits.size}`
    this.commits.set(id, commit)
    return id
  }
  async setBranch(name: string, commitId: string): Promise<void> {
    this.branches.set(name, commitId)
  }
  async setTag(name: string, commitId: string): Promise<void> {
    this.tagMap.set(name, commitId)
  }
  async setHead(head: { branch: string } | { commit: string }): Promise<void> {
    this.head = head
  }
}

const DTYPE_OF: Record<string, string> = {
  float32: 'F32',
  float16: 'F16',
  float64: 'F64',
  int64: 'I64',
}

describe.each([
  { fixture: 'v1.1', dialect: 'v1.1', anchor: 69, total: 165, achieved: 113, hashLength: 32 },
  {
    fixture: 'clustering-era',
    dialect: 'clustering-era',
    anchor: 39,
    total: 160,
    achieved: 91,
    hashLength: 16,
  },
])(
  'importPythonCoral on the $fixture fixture',
  ({ fixture, dialect, anchor, total, achieved, hashLength }) => {
    const root = path.join(FIXTURES, fixture)
    const golden = JSON.parse(fs.readFileSync(path.join(root, 'golden.json'), 'utf8')) as Golden

    it('reproduces at least every tensor the Python reader does, and exactly the achieved count', async () => {
      const sink = new MemorySink()

      const report = await importPythonCoral(root, sink)

      // Count committed tensor versions reproduced bit-exactly
      const byMessage = new Map([...sink.commits.values()].map((c) => [c.message, c]))
      let exact = 0
      let anchorMatches = 0
      let versions = 0
      for (const [message, tensors] of Object.entries(golden)) {
        const commit = byMessage.get(message)
        expect(commit, message).toBeDefined()
        for (const [name, entry] of Object.entries(tensors)) {
          versions += 1
          anchorMatches += entry.anchor_read_matches ? 1 : 0
          const id = commit?.tree[name]
          if (id === entry.sha256) {
            exact += 1
            const tensor = sink.tensors.get(id) as Tensor
            expect(tensor.dtype).toBe(DTYPE_OF[entry.dtype])
            expect(tensor.shape).toEqual(entry.shape)
          }
        }
      }
      expect(versions).toBe(total)
      expect(anchorMatches).toBe(anchor)
      expect(exact).toBeGreaterThanOrEqual(anchor)
      expect(exact).toBe(achieved)
      expect(report.dialect).toBe(dialect)
      expect(report.tensors).toHaveLength(total)
    })

    it('imports every commit with its metadata, branches main and ft, tag v1 and HEAD', async () => {
      const sink = new MemorySink()

      const report = await importPythonCoral(root, sink)

      expect(report.commits).toBe(5)
      expect(sink.commits.size).toBe(5)
      const coralDir = path.join(root, '.coral', 'objects', 'commits')
      for (const file of fs.readdirSync(coralDir)) {
        const raw = JSON.parse(fs.readFileSync(path.join(coralDir, file), 'utf8'))
        expect(raw.commit_hash).toHaveLength(hashLength)
        const id = report.commitIds[raw.commit_hash] as string
        const commit = sink.commits.get(id) as StoredCommit
        expect(commit.message).toBe(raw.metadata.message)
        expect(commit.author).toBe('Fixture Bot')
        expect(commit.email).toBe('fixtures@example.org')
        expect(commit.timestamp).toBe(raw.metadata.timestamp)
        expect(commit.parents).toEqual(raw.parent_hashes.map((p: string) => report.commitIds[p]))
        expect(Object.keys(commit.tree).sort()).toEqual(
          Object.keys(golden[raw.metadata.message] ?? {}).sort(),
        )
      }
      const idOf = (message: string): string =>
        [...sink.commits.entries()].find(([, c]) => c.message === message)?.[0] as string
      expect(report.branches.sort()).toEqual(['ft', 'main'])
      expect(sink.branches.get('main')).toBe(idOf('checkpoint step 160'))
      expect(sink.branches.get('ft')).toBe(idOf('fine-tune on changelogs'))
      expect(report.tags).toEqual(['v1'])
      expect(sink.tagMap.get('v1')).toBe(idOf('checkpoint step 160'))
      expect(sink.head).toEqual({ branch: 'main' })
      expect(report.warnings).toEqual([])
    })

    it('never calls a tensor verified unless it is the committed tensor, and explains the rest', async () => {
      const sink = new MemorySink()

      const report = await importPythonCoral(root, sink)

      const byMessage = new Map([...sink.commits.entries()].map(([id, c]) => [id, c]))
      const idToMessage = new Map(
        Object.entries(report.commitIds).map(([py, id]) => [
          py,
          byMessage.get(id)?.message as string,
        ]),
      )
      for (const tensor of report.tensors) {
        const message = idToMessage.get(tensor.commit) as string
        const entry = golden[message]?.[tensor.name] as GoldenEntry
        const stored = sink.commits.get(report.commitIds[tensor.commit] as string)?.tree[
          tensor.name
        ]
        if (tensor.status === 'verified') {
          expect(stored, `${message} ${tensor.name}`).toBe(entry.sha256)
        }
        if (tensor.status !== 'verified') {
          expect(tensor.detail.length).toBeGreaterThan(10)
        }
      }
      expect(report.verified + report.unverifiable + report.mismatched + report.unreadable).toBe(
        total,
      )
      expect(report.mismatched).toBe(0)
      expect(report.unreadable).toBe(0)
    })
  },
)

describe('importPythonCoral on damaged repositories', () => {
  const made: string[] = []
  afterEach(() => {
    for (const dir of made.splice(0)) {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  function copyFixture(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coral-'))
    made.push(dir)
    fs.cpSync(path.join(FIXTURES, 'v1.1', '.coral'), path.join(dir, '.coral'), { recursive: true })
    for (const entry of fs.readdirSync(path.join(dir, '.coral'), {
      recursive: true,
      withFileTypes: true,
    })) {
      fs.chmodSync(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644)
    }
    fs.chmodSync(path.join(dir, '.coral'), 0o755)
    return dir
  }

  async function importError(dir: string): Promise<CoralError> {
    try {
      await importPythonCoral(dir, new MemorySink())
    } catch (error) {
      return error as CoralError
    }
    throw new Error('expected the import to fail')
  }

  it('fails with MalformedFile when weights.h5 is missing', async () => {
    const dir = copyFixture()
    fs.rmSync(path.join(dir, '.coral', 'objects', 'weights.h5'))

    const error = await importError(dir)

    expect(error).toBeInstanceOf(CoralError)
    expect(error.code).toBe('MalformedFile')
    expect(error.message).toContain('weights.h5')
  })

  it('fails with MalformedFile when weights.h5 is not HDF5', async () => {
    const dir = copyFixture()
    fs.writeFileSync(path.join(dir, '.coral', 'objects', 'weights.h5'), 'not hdf5 at all')

    const error = await importError(dir)

    expect(error.code).toBe('MalformedFile')
  })

  it('fails with MalformedFile on a corrupt commit JSON', async () => {
    const dir = copyFixture()
    const file = path.join(
      dir,
      '.coral',
      'objects',
      'commits',
      '0359264eeed64eb67114c3ef0874c38a.json',
    )
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 200))

    const error = await importError(dir)

    expect(error.code).toBe('MalformedFile')
    expect(error.message).toContain('0359264eeed64eb67114c3ef0874c38a.json')
  })

  it('skips training sidecars named *_state.json', async () => {
    const dir = copyFixture()
    fs.writeFileSync(
      path.join(dir, '.coral', 'objects', 'commits', '62d4832101e51ee1e02f2983b6b2053e_state.json'),
      JSON.stringify({ epoch: 3, global_step: 160 }),
    )

    const report = await importPythonCoral(dir, new MemorySink())

    expect(report.commits).toBe(5)
  })

  it('marks a tensor whose dataset is missing as unreadable and leaves it out of the snapshot', async () => {
    const dir = copyFixture()
    const file = path.join(
      dir,
      '.coral',
      'objects',
      'commits',
      '49590ba4b87d2d7759a7c424f180d27f.json',
    )
    const raw = JSON.parse(fs.readFileSync(file, 'utf8'))
    raw.weight_hashes['tok.weight'] = '0000000000000000'
    fs.writeFileSync(file, JSON.stringify(raw))
    const sink = new MemorySink()

    const report = await importPythonCoral(dir, sink)

    const entry = report.tensors.find(
      (t) => t.commit === raw.commit_hash && t.name === 'tok.weight',
    )
    expect(entry?.status).toBe('unreadable')
    expect(entry?.detail).toContain('0000000000000000')
    const root = sink.commits.get(report.commitIds[raw.commit_hash] as string) as StoredCommit
    expect(root.tree['tok.weight']).toBeUndefined()
    expect(Object.keys(root.tree)).toHaveLength(32)
    expect(report.warnings.some((w) => w.includes('does not recompute'))).toBe(true)
  })

  it('fails with MalformedFile when a parent commit file is missing', async () => {
    const dir = copyFixture()
    fs.rmSync(
      path.join(dir, '.coral', 'objects', 'commits', '49590ba4b87d2d7759a7c424f180d27f.json'),
    )

    const error = await importError(dir)

    expect(error.code).toBe('MalformedFile')
    expect(error.message).toContain('49590ba4b87d2d7759a7c424f180d27f')
  })

  it('throws NotARepository without a .coral folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coral-'))

    const error = await importError(dir)

    expect(error.code).toBe('NotARepository')
  })

  it('stops with Cancelled when the signal fires', async () => {
    const controller = new AbortController()
    controller.abort()

    await expect(
      importPythonCoral(path.join(FIXTURES, 'v1.1'), new MemorySink(), {
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: 'Cancelled' })
  })
})
