/**
 * A loose object file that exists but cannot be opened is an error, not an
 * object stored elsewhere: `ObjectStore` took any failure to open or stat a
 * loose file for "not loose" and went on to the packs (the R7 pattern of
 * docs/RELIABILITY.md, in the object store). Only a missing file is absent.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { ensureZstd } from '../codec/zstd.js'
import { ObjectStore } from './object-store.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('loose object files that cannot be opened', () => {
  it('raise the file system error instead of reporting the object missing', async () => {
    await ensureZstd()
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coral-loose-'))
    dirs.push(dir)
    const store = new ObjectStore(dir)
    const { id } = await store.write({ dtype: 'F32', shape: [2], data: new Uint8Array(8).fill(1) })
    const file = store.pathOf(id)
    rmSync(file)
    // A symlink to itself: open fails with ELOOP, which is not ENOENT.
    symlinkSync(file, file)

    await expect(store.read(id)).rejects.toMatchObject({ code: 'ELOOP' })
    await expect(store.locate(id)).rejects.toMatchObject({ code: 'ELOOP' })

    rmSync(file)
    await expect(store.read(id)).rejects.toMatchObject({ code: 'NotFound' })
  })
})
