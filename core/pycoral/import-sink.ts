import type { Tensor } from '../tensor/tensor.js'

/**
 * Where `importPythonCoral` writes what it recovers: a Coral repository, or a test double.
 *
 * Calls arrive in dependency order: a commit's tensors before the commit, a
 * commit's parents before the commit, and refs last.
 */
export interface ImportSink {
  /** Stores a tensor (deduplicated by content) and returns its content id. */
  writeTensor(tensor: Tensor): Promise<string>
  /** Records a commit whose snapshot maps tensor names to ids returned by writeTensor; returns the new commit id. */
  writeCommit(commit: {
    tree: Record<string, string>
    parents: string[]
    message: string
    author: string
    email: string
    timestamp: string /* ISO 8601 with offset if known */
    tags: string[]
  }): Promise<string>
  setBranch(name: string, commitId: string): Promise<void>
  setTag(name: string, commitId: string): Promise<void>
  /** Attach HEAD to a branch, or detach at a commit id (already mapped). */
  setHead(head: { branch: string } | { commit: string }): Promise<void>
}
