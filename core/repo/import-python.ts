/**
 * `import-coral`: converts a repository written by the Python coral-ml.
 *
 * In place (the default), the converted repository is built in a temporary
 * folder beside the original, and only when it is complete does the original
 * `.coral` move to `.coral_backup_<YYYYmmdd_HHMMSS>` and the new one take its
 * name. A crash before that swap leaves the original untouched (the temporary
 * folder is removed on the next attempt). With `--to <dir>` the result is a
 * new repository at `dir` and the source is never modified.
 */
import { mkdtemp, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'

import type { ImportReport } from '../api/contract.js'
import { CoralError } from '../errors.js'
import { importPythonCoral } from '../pycoral/import-into.js'
import type { ImportSink } from '../pycoral/import-sink.js'
import { assertRefName } from '../store/refs.js'
import type { OperationOptions } from './repository.js'
import { Repository, detectRepository } from './repository.js'

/** Imports the Python repository at `source` into `to` (default: in place). */
export async function importPythonRepository(
  source: string,
  options: OperationOptions & { to?: string } = {},
): Promise<ImportReport> {
  const sourceRoot = path.resolve(source)
  if ((await detectRepository(sourceRoot)) !== 'python-coral') {
    throw new CoralError(
      'NotARepository',
      `${sourceRoot} does not hold a Python coral-ml repository`,
      {
        path: sourceRoot,
      },
    )
  }
  const inPlace = options.to === undefined || path.resolve(options.to) === sourceRoot
  const buildRoot = inPlace
    ? await mkdtemp(path.join(sourceRoot, '.coral-import-'))
    : path.resolve(options.to!)
  try {
    const repo = await Repository.init(buildRoot)
    const result = await repo.withWriteLock('import-coral', () =>
      importPythonCoral(sourceRoot, repositorySink(repo), {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress
          ? {
              onProgress: (p) =>
                options.onProgress!({
                  phase: p.phase,
                  done: p.done,
                  total: p.total,
                  bytesIn: p.bytesIn,
                  bytesOut: p.bytesOut,
                }),
            }
          : {}),
      }),
    )
    let backupPath: string | null = null
    if (inPlace) {
      backupPath = await freeBackupPath(sourceRoot)
      await rename(path.join(sourceRoot, '.coral'), backupPath)
      await rename(path.join(buildRoot, '.coral'), path.join(sourceRoot, '.coral'))
      await rm(buildRoot, { recursive: true, force: true })
    }
    const { commitIds: _ids, warnings: _warnings, ...report } = result
    return { ...report, source: sourceRoot, target: inPlace ? sourceRoot : buildRoot, backupPath }
  } catch (error) {
    if (inPlace) {
      await rm(buildRoot, { recursive: true, force: true })
    } else {
      await rm(path.join(buildRoot, '.coral'), { recursive: true, force: true }).catch(
        () => undefined,
      )
    }
    throw error
  }
}

/** Stores into a Repository whatever the importer produces. */
function repositorySink(repo: Repository): ImportSink {
  return {
    writeTensor: (tensor) => repo.storeTensor(tensor),
    writeCommit: (commit) => repo.writeCommit(commit),
    async setBranch(name, commitId) {
      assertRefName(name)
      await repo.refs.write('heads', name, commitId)
    },
    async setTag(name, commitId) {
      assertRefName(name)
      await repo.refs.write('tags', name, commitId)
    },
    setHead: (head) => repo.refs.writeHead(head),
  }
}

/** `.coral_backup_<YYYYmmdd_HHMMSS>` in local time, with `_2`, `_3`... if taken. */
export async function freeBackupPath(root: string, now = new Date()): Promise<string> {
  const pad = (n: number) => String(n).padStart(2, '0')
  const stamp =
    `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}_` +
    `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`
  for (let n = 1; ; n++) {
    const candidate = path.join(root, `.coral_backup_${stamp}${n === 1 ? '' : `_${n}`}`)
    const taken = await stat(candidate).then(
      () => true,
      () => false,
    )
    if (!taken) {
      return candidate
    }
  }
}
