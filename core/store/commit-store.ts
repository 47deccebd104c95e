/**
 * Commits: full snapshots of tensor names to tensor ids.
 *
 * A commit is canonical JSON (sorted keys, no whitespace) stored at
 * `commits/<id[0:2]>/<id[2:]>`; its id is the SHA-256 of
 * `coral-commit/1\n` followed by that JSON. Reads re-hash and raise
 * `ObjectCorrupt` on a mismatch.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import path from 'node:path'

import { CoralError } from '../errors.js'
import { writeFileAtomic } from './atomic-write.js'
import { isObjectId, shortId } from './tensor-id.js'
import { isMissing } from './read-if-present.js'

/** A commit's content. */
export interface Commit {
  /** Tensor name to tensor id: the whole snapshot. */
  tree: Record<string, string>
  parents: string[]
  message: string
  author: string
  email: string
  /** ISO 8601 time. */
  timestamp: string
  tags: string[]
}

/** Serialises with sorted object keys so equal commits have equal bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** The id a commit gets. */
export function commitId(commit: Commit): string {
  return createHash('sha256')
    .update(`coral-commit/1\n${canonicalJson(commit)}`)
    .digest('hex')
}

export class CommitStore {
  /** @param dir the repository's `commits` folder */
  constructor(readonly dir: string) {}

  private pathOf(id: string): string {
    return path.join(this.dir, id.slice(0, 2), id.slice(2))
  }

  /** Stores a commit (idempotent) and returns its id. */
  async write(commit: Commit): Promise<string> {
    const flaw = commitFlaw(commit)
    if (flaw) {
      throw new CoralError('InvalidArgument', `Refusing to write a malformed commit: ${flaw}`)
    }
    const id = commitId(commit)
    // Commit files are small: read and checked synchronously (see read-if-present.ts).
    if (!existsSync(this.pathOf(id))) {
      await writeFileAtomic(this.pathOf(id), canonicalJson(commit))
    }
    return id
  }

  async read(id: string): Promise<Commit> {
    if (!isObjectId(id)) {
      throw new CoralError('InvalidRef', `"${id.slice(0, 80)}" is not a commit id`, { id })
    }
    let text: string
    try {
      text = readFileSync(this.pathOf(id), 'utf8')
    } catch (error) {
      // Only a missing file is "does not exist"; EIO and the like are raised as they are.
      if (!isMissing(error)) throw error
      throw new CoralError('NotFound', `Commit ${shortId(id)} does not exist`, { id })
    }
    let commit: Commit
    try {
      commit = JSON.parse(text) as Commit
    } catch {
      throw new CoralError('ObjectCorrupt', `Commit ${shortId(id)} is damaged: not valid JSON`, {
        id,
        commit: id,
      })
    }
    if (commitId(commit) !== id) {
      throw new CoralError('ObjectCorrupt', `Commit ${shortId(id)} does not hash to its id`, {
        id,
        commit: id,
      })
    }
    // A file can hash to its name and still not be a commit (written by
    // hand or by another tool): every field is checked before anyone uses it.
    const flaw = commitFlaw(commit)
    if (flaw) {
      throw new CoralError('ObjectCorrupt', `Commit ${shortId(id)} is damaged: ${flaw}`, {
        id,
        commit: id,
      })
    }
    return commit
  }

  /** Lists every stored commit id. */
  async ids(): Promise<string[]> {
    const out: string[] = []
    for (const prefix of await readdir(this.dir).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) {
        continue
      }
      for (const rest of await readdir(path.join(this.dir, prefix))) {
        if (isObjectId(prefix + rest)) {
          out.push(prefix + rest)
        }
      }
    }
    return out.sort()
  }
}

/** What makes `value` not a well-formed commit, or undefined when it is one. */
export function commitFlaw(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not an object'
  const c = value as Record<string, unknown>
  const tree = c['tree']
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree))
    return 'its tree is not an object'
  for (const [name, id] of Object.entries(tree)) {
    if (typeof id !== 'string' || !isObjectId(id))
      return `tensor "${name.slice(0, 80)}" has no valid tensor id`
  }
  const parents = c['parents']
  if (!Array.isArray(parents) || !parents.every((p) => typeof p === 'string' && isObjectId(p))) {
    return 'its parents are not commit ids'
  }
  for (const field of ['message', 'author', 'email', 'timestamp'] as const) {
    if (typeof c[field] !== 'string') return `its ${field} is not a string`
  }
  const tags = c['tags']
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string'))
    return 'its tags are not strings'
  return undefined
}
