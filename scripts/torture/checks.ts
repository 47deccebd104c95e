/**
 * The checks a torture trial runs on a repository after a kill and after the
 * rerun: it opens, it validates (or `validate --fix` repairs it), and every
 * reachable commit reads back bit-exact against the source file it was
 * committed from.
 */
import { createHash } from 'node:crypto'

import type { ValidationReport } from '../../core/api/contract.js'
import { CoralError } from '../../core/errors.js'
import { recoverInterruptedRestore } from '../../core/migrate/backup.js'
import { validateRepository } from '../../core/migrate/validate.js'
import { prepareRepository } from '../../core/repo/prepare.js'
import { Repository } from '../../core/repo/repository.js'
import type { FileDigest } from './fixtures.js'

/** What `checkBitExact` saw. */
export interface BitExactReport {
  commits: number
  tensors: number
  /** Message of the commit HEAD points to. */
  headMessage: string | undefined
  /** Messages of every reachable commit. */
  messages: Set<string>
}

/**
 * Opens the repository; when that fails, tries the documented recovery of an
 * interrupted restore and opens again. Returns the repository and whether the
 * recovery was needed.
 */
export async function openOrRecover(
  root: string,
): Promise<{ repo: Repository; recovered: boolean }> {
  try {
    return { repo: await prepareRepository(await Repository.open(root)), recovered: false }
  } catch (error) {
    if (!(error instanceof CoralError && error.code === 'NotARepository')) throw error
    const what = await recoverInterruptedRestore(root)
    if (what === 'none') throw error
    return { repo: await prepareRepository(await Repository.open(root)), recovered: true }
  }
}

/**
 * Reads every tensor of every reachable commit whose message names a source
 * file, and compares dtype, shape and SHA-256 with that file. Throws an Error
 * naming the first difference.
 */
export async function checkBitExact(
  repo: Repository,
  expected: Map<string, FileDigest>,
): Promise<BitExactReport> {
  const commits = await repo.reachableCommits()
  const head = await repo.headCommit()
  const report: BitExactReport = {
    commits: 0,
    tensors: 0,
    headMessage: head ? commits.get(head)?.message : undefined,
    messages: new Set(),
  }
  for (const [id, commit] of commits) {
    report.messages.add(commit.message)
    const digest = expected.get(commit.message)
    if (!digest) continue
    const names = Object.keys(commit.tree).sort()
    if (names.join('\n') !== [...digest.keys()].sort().join('\n')) {
      throw new Error(
        `commit ${id.slice(0, 12)} (${commit.message}) holds other tensor names than its source file`,
      )
    }
    for (const name of names) {
      const tensor = await repo.readTensorOf(commit.tree[name]!, name, id)
      const want = digest.get(name)!
      const sha = createHash('sha256').update(tensor.data).digest('hex')
      if (
        tensor.dtype !== want.dtype ||
        tensor.shape.join(',') !== want.shape ||
        sha !== want.sha256
      ) {
        throw new Error(`tensor "${name}" of ${commit.message} differs from its source file`)
      }
      report.tensors++
    }
    report.commits++
  }
  return report
}

/** Runs `cluster validate` (or `--fix`) in this process. */
export async function validate(repo: Repository, fix: boolean): Promise<ValidationReport> {
  return validateRepository(repo, { fix })
}

/** One line naming the problems a validation left unfixed. */
export function describeProblems(report: ValidationReport): string {
  return report.problems
    .filter((p) => !p.fixed)
    .map((p) => `${p.kind}: ${p.message}`)
    .join('; ')
}
