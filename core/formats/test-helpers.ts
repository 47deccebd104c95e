// Helpers shared by the format tests. No vitest import, so the copy tsc
// compiles into dist/ is inert.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { CoralError } from '../errors.js'

/** Folder of the committed format fixtures. */
export const FIXTURES = path.resolve(import.meta.dirname, '__fixtures__')

/** Expected tensors of one fixture: name -> dtype, shape, hex bytes (written by the fixture script). */
export function expectedTensors(
  fixture: string,
): Record<string, { dtype: string; shape: number[]; hex: string }> {
  const all = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'))
  return all[fixture]
}

/** A fresh temporary folder for one test. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'coral-'))
}

/** Collects an async generator into an array. */
export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of source) out.push(item)
  return out
}

/**
 * Asserts that `run` rejects with a CoralError of `code` whose one-line message names `file`.
 *
 * Returns the error for further checks.
 */
export async function expectCoralError(
  run: () => Promise<unknown>,
  code: string,
  file: string,
): Promise<CoralError> {
  let caught: unknown
  try {
    await run()
  } catch (error) {
    caught = error
  }
  if (!(caught instanceof CoralError)) {
    throw new Error(`expected CoralError ${code}, got ${String(caught)}`)
  }
  if (caught.code !== code) {
    throw new Error(`expected code ${code}, got ${caught.code}: ${caught.message}`)
  }
  if (!caught.message.startsWith(`${file}:`) || caught.message.includes('\n')) {
    throw new Error(`message does not name ${file} on one line: ${caught.message}`)
  }
  return caught
}
