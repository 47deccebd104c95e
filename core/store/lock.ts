/**
 * The repository's single-writer lock.
 *
 * The lock is the file `.coral/lock`, holding JSON that names its owner
 * (pid, host, command, start time). It is created atomically with its full
 * content by hard-linking a prepared temporary file, so no reader ever sees
 * an empty lock. A lock whose owner is a dead process on this host is taken
 * over, and the takeover is reported through `onStaleLock`; a live owner, or
 * an owner on another host, makes the acquire fail with `RepoLocked`.
 */
import { randomBytes } from 'node:crypto'
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { link, readFile, rename, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { CoralError } from '../errors.js'
import { readTextIfPresent } from './read-if-present.js'

/** Who holds the lock. */
export interface LockOwner {
  pid: number
  host: string
  command: string
  startedAt: string
}

/** A held lock; release it exactly once. */
export interface HeldLock {
  readonly owner: LockOwner
  release(): Promise<void>
}

export interface AcquireOptions {
  /** Called when a lock left by a dead process is taken over. */
  onStaleLock?: (previous: LockOwner) => void
}

/** Acquires the write lock of the repository whose metadata folder is `coralDir`. */
export async function acquireLock(
  coralDir: string,
  command: string,
  options: AcquireOptions = {},
): Promise<HeldLock> {
  const lockPath = path.join(coralDir, 'lock')
  const owner: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    command,
    startedAt: new Date().toISOString(),
  }
  const content = JSON.stringify(owner)

  for (let attempt = 0; attempt < 3; attempt++) {
    // Create: a prepared file hard-linked into place appears atomically, full.
    const prepared = path.join(
      coralDir,
      `.tmp-lock-${process.pid}-${randomBytes(4).toString('hex')}`,
    )
    // The uncontended path is synchronous: every command takes the lock, and
    // three thread-pool round trips cost more than the three calls.
    writeFileSync(prepared, content)
    try {
      linkSync(prepared, lockPath)
      return heldLock(lockPath, owner, content)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error
      }
    } finally {
      rmSync(prepared, { force: true })
    }

    // Inspect the current owner.
    const existingText = await readTextIfPresent(lockPath)
    if (existingText === undefined) {
      continue // released between our link and read: try again
    }
    const existing = parseOwner(existingText)
    if (existing && !isStale(existing)) {
      throw lockedError(existing)
    }

    // Take over a stale lock: move it aside, and make sure it was the one we judged.
    const aside = path.join(coralDir, `.tmp-stale-lock-${randomBytes(4).toString('hex')}`)
    try {
      await rename(lockPath, aside)
    } catch {
      continue
    }
    const movedText = await readFile(aside, 'utf8').catch(() => '')
    if (movedText !== existingText) {
      // Someone took the lock between our read and rename: put theirs back.
      await link(aside, lockPath).catch(() => undefined)
      await rm(aside, { force: true })
      const moved = parseOwner(movedText)
      throw lockedError(moved ?? existing ?? unknownOwner())
    }
    await rm(aside, { force: true })
    options.onStaleLock?.(existing ?? unknownOwner())
  }
  const current = parseOwner(await readFile(lockPath, 'utf8').catch(() => ''))
  throw lockedError(current ?? unknownOwner())
}

/** Reads the current lock owner, or null when the repository is not locked. */
export async function readLockOwner(coralDir: string): Promise<LockOwner | null> {
  const text = await readFile(path.join(coralDir, 'lock'), 'utf8').catch(() => undefined)
  return text === undefined ? null : (parseOwner(text) ?? unknownOwner())
}

function heldLock(lockPath: string, owner: LockOwner, content: string): HeldLock {
  let released = false
  return {
    owner,
    async release() {
      if (released) {
        return
      }
      released = true
      // Only remove the lock if it is still ours.
      let text: string | undefined
      try {
        text = readFileSync(lockPath, 'utf8')
      } catch {
        text = undefined
      }
      if (text === content) {
        rmSync(lockPath, { force: true })
      }
    },
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>
    if (typeof value.pid === 'number' && typeof value.host === 'string') {
      return {
        pid: value.pid,
        host: value.host,
        command: String(value.command ?? 'unknown'),
        startedAt: String(value.startedAt ?? ''),
      }
    }
  } catch {
    // fall through: an unparseable lock is treated as held by an unknown owner
  }
  return undefined
}

/** A lock is stale only when its owner is provably dead: same host, no such pid. */
function isStale(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) {
    return false
  }
  if (owner.pid === process.pid) {
    return false
  }
  try {
    process.kill(owner.pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

function unknownOwner(): LockOwner {
  return { pid: 0, host: 'unknown', command: 'unknown', startedAt: '' }
}

function lockedError(owner: LockOwner): CoralError {
  return new CoralError(
    'RepoLocked',
    `Repository is locked by pid ${owner.pid} on ${owner.host} (${owner.command}` +
      `${owner.startedAt ? `, since ${owner.startedAt}` : ''}); wait for it to finish or stop that process`,
    { owner },
  )
}
