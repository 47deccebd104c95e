/**
 * The guarded HDF5 reader's worker thread is kept for the next file only
 * while it is sound (docs/RELIABILITY.md, R14).
 *
 * Found by scripts/fuzz-stores.ts (target `hdf5`, seed 5): the fuzzing
 * process's RSS had grown by 1,026 MB at case 1067. That case makes the HDF5
 * library allocate about 1 GB from a damaged chunk record; WebAssembly memory
 * never shrinks, and the thread was kept for later files, so the process held
 * the gigabyte. Replaying the cases also showed a second fault: after a read
 * failed inside the library, h5wasm had skipped closing the dataset, so HDF5
 * kept the file open, and the next file written at the same path was served
 * the old file's cached metadata (case 5 read differently after case 3 than
 * alone). Fixed: such a thread takes no new file and is ended, and its memory
 * freed, when its last file is closed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { afterAll, describe, expect, it } from 'vitest'

import { mutateStoreFile, STORE_TARGETS } from '../../scripts/fuzz-stores.js'
import { CoralError } from '../errors.js'
import { GuardedH5Reader } from './guarded-h5.js'

const pristine = readFileSync(
  path.resolve(
    import.meta.dirname,
    '../../../shared/fixtures/coral-py/v1.1/.coral/objects/weights.h5',
  ),
)
const root = mkdtempSync(path.join(os.tmpdir(), 'coral-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** The bytes of store-fuzz case `n` of seed 5, target `hdf5`. */
function fuzzCase(n: number): Uint8Array {
  // A copy: Buffer#slice, which the mutator uses, shares the bytes.
  return mutateStoreFile(new Uint8Array(pristine), 5, STORE_TARGETS.indexOf('hdf5'), n, false)
}

interface Outcome {
  /** Thread that served the file. */
  thread: number | null
  /** Error of open or of listing a group, if any. */
  failed: string | null
  read: number
  unreadable: number
}

/** Opens `file`, reads every dataset under /weights and /deltas, closes it. */
async function readAll(file: string): Promise<Outcome> {
  const outcome: Outcome = { thread: null, failed: null, read: 0, unreadable: 0 }
  let reader: GuardedH5Reader | undefined
  try {
    reader = await GuardedH5Reader.open(file)
    outcome.thread = reader.threadId
    for (const group of ['/weights', '/deltas']) {
      for (const key of reader.keys(group)) {
        try {
          reader.read(`${group}/${key}`)
          outcome.read++
        } catch (error) {
          if (!(error instanceof CoralError) || error.data.readerGaveUp === true) throw error
          outcome.unreadable++
        }
      }
    }
  } catch (error) {
    if (!(error instanceof CoralError)) throw error
    outcome.failed = `${error.code}${error.data.readerGaveUp === true ? ' (reader gave up)' : ''}`
  } finally {
    await reader?.close()
  }
  return outcome
}

describe('the HDF5 reader thread', () => {
  it('is kept for the next file while the library has not failed', async () => {
    const file = path.join(root, 'sound.h5')
    writeFileSync(file, pristine)
    const first = await readAll(file)
    const second = await readAll(file)
    expect(first).toMatchObject({ failed: null, unreadable: 0 })
    expect(second).toEqual(first)
  })

  it('R14: after a read that failed inside the library, the next file at that path is read as itself', async () => {
    const file = path.join(root, 'reused-path.h5')
    writeFileSync(file, pristine)
    await readAll(file)
    writeFileSync(file, fuzzCase(5))
    const alone = await readAll(file)

    writeFileSync(file, fuzzCase(3))
    const damaged = await readAll(file)
    expect(damaged.unreadable).toBeGreaterThan(0) // precondition: the library failed on a read
    writeFileSync(file, fuzzCase(5))
    const after = await readAll(file)

    expect(after.thread).not.toBe(damaged.thread)
    expect({ ...after, thread: null }).toEqual({ ...alone, thread: null })
  })

  it('R14: the thread that read seed 5, case 1067 (1 GB allocated inside the library) is ended when its file is closed', async () => {
    const file = path.join(root, 'grown.h5')
    writeFileSync(file, fuzzCase(1067))
    const grown = await readAll(file)
    writeFileSync(file, pristine)
    const next = await readAll(file)
    expect(grown.thread).not.toBeNull()
    expect(next).toMatchObject({ failed: null, unreadable: 0 })
    expect(next.thread).not.toBe(grown.thread)
  })
})
