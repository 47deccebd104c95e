/**
 * Branches, tags and HEAD.
 *
 * `refs/heads/<name>` and `refs/tags/<name>` each hold one commit id.
 * `HEAD` holds `ref: refs/heads/<branch>` when attached, or a commit id when
 * detached. Names are checked so that no ref can point outside `refs/`.
 */
import { readFileSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import path from 'node:path'

import { CoralError } from '../errors.js'
import { writeFileAtomic } from './atomic-write.js'
import { isObjectId } from './tensor-id.js'
import { readTextIfPresent } from './read-if-present.js'

export type RefKind = 'heads' | 'tags'

/** HEAD as stored: attached to a branch, or detached at a commit. */
export type Head = { branch: string } | { commit: string }

const NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._\-/]*$/

/** Throws `InvalidRef` unless `name` is a safe branch or tag name. */
export function assertRefName(name: string): void {
  const bad =
    name.length === 0 ||
    name.length > 200 ||
    !NAME_PATTERN.test(name) ||
    name.includes('..') ||
    name.includes('//') ||
    name.endsWith('/') ||
    name.endsWith('.') ||
    name.endsWith('.lock') ||
    name.split('/').some((part) => part.startsWith('.'))
  if (bad) {
    throw new CoralError(
      'InvalidRef',
      `"${name.slice(0, 80)}" is not a valid ref name (letters, digits, . _ - and / between parts)`,
      { name },
    )
  }
}

export class RefStore {
  /** @param coralDir the repository's `.coral` folder */
  constructor(readonly coralDir: string) {}

  private refPath(kind: RefKind, name: string): string {
    assertRefName(name)
    return path.join(this.coralDir, 'refs', kind, ...name.split('/'))
  }

  async read(kind: RefKind, name: string): Promise<string | undefined> {
    const text = await readTextIfPresent(this.refPath(kind, name))
    if (text === undefined) {
      return undefined
    }
    const id = text.trim()
    if (!isObjectId(id)) {
      throw new CoralError(
        'InvalidRef',
        `refs/${kind}/${name} is damaged (holds "${id.slice(0, 80)}")`,
        { name },
      )
    }
    return id
  }

  async write(kind: RefKind, name: string, commitId: string): Promise<void> {
    await writeFileAtomic(this.refPath(kind, name), `${commitId}\n`)
  }

  async delete(kind: RefKind, name: string): Promise<void> {
    await rm(this.refPath(kind, name), { force: true })
  }

  /** Lists ref names of a kind, sorted. */
  async list(kind: RefKind): Promise<string[]> {
    const root = path.join(this.coralDir, 'refs', kind)
    const names: string[] = []
    const walk = async (dir: string, prefix: string) => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
      for (const entry of entries) {
        if (entry.name.startsWith('.')) {
          continue
        }
        const name = prefix ? `${prefix}/${entry.name}` : entry.name
        if (entry.isDirectory()) {
          await walk(path.join(dir, entry.name), name)
        } else {
          names.push(name)
        }
      }
    }
    await walk(root, '')
    return names.sort()
  }

  async readHead(): Promise<Head> {
    // Synchronous, like every small metadata read (see read-if-present.ts).
    const text = readFileSync(path.join(this.coralDir, 'HEAD'), 'utf8').trim()
    if (text.startsWith('ref: refs/heads/')) {
      const branch = text.slice('ref: refs/heads/'.length)
      assertRefName(branch)
      return { branch }
    }
    if (isObjectId(text)) {
      return { commit: text }
    }
    throw new CoralError('InvalidRef', `HEAD is damaged (holds "${text.slice(0, 80)}")`)
  }

  async writeHead(head: Head): Promise<void> {
    if ('branch' in head) {
      assertRefName(head.branch)
    }
    const text = 'branch' in head ? `ref: refs/heads/${head.branch}\n` : `${head.commit}\n`
    await writeFileAtomic(path.join(this.coralDir, 'HEAD'), text)
  }
}
