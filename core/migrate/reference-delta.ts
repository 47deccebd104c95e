/**
 * Trying a tensor as a delta against existing cluster references: the step
 * shared by `cluster optimize` and mixed mode.
 */
import type { EncodedObject } from '../codec/tensor-codec.js'
import { cosineSimilarity } from '../cluster/similarity.js'
import type { Repository } from '../repo/repository.js'
import type { Tensor } from '../tensor/tensor.js'
import { deltaObject, encodedSize, standaloneObject } from './encoding.js'
import { MAX_PLAN_DEPTH } from './forest.js'
import { isDeltaCodec } from '../store/object-format.js'

/** Delta hops from `id` to a standalone object (Infinity when unreadable). */
export async function chainDepth(repo: Repository, id: string): Promise<number> {
  let depth = 0
  for (let cur = id; depth <= MAX_PLAN_DEPTH + 2; depth++) {
    const header = (await repo.objects.readHeader(cur).catch(() => undefined))?.header
    if (!header) return Infinity
    if (!isDeltaCodec(header.codec)) return depth
    cur = header.base!
  }
  return Infinity
}

/** The best delta of `tensor` against `references`, when one passes the threshold and is smaller. */
export async function bestReferenceDelta(
  repo: Repository,
  tensor: Tensor,
  standaloneBytes: number | undefined,
  references: string[],
  threshold: number,
): Promise<
  { encoded: EncodedObject; bytes: number; similarity: number; base: string } | undefined
> {
  const standalone = standaloneBytes ?? encodedSize(standaloneObject(tensor))
  let best: { encoded: EncodedObject; bytes: number; similarity: number; base: string } | undefined
  for (const ref of references) {
    if ((await chainDepth(repo, ref)) >= MAX_PLAN_DEPTH) continue
    const base = await repo.objects.read(ref)
    const raw = cosineSimilarity(tensor, base)
    const similarity = Number.isFinite(raw) ? raw : 0
    if (similarity < threshold) continue
    const encoded = deltaObject(tensor, base, ref, similarity, standalone)
    const bytes = encodedSize(encoded)
    if (bytes < standalone && (!best || bytes < best.bytes)) {
      best = { encoded, bytes, similarity, base: ref }
    }
  }
  return best
}
