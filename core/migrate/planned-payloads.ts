/**
 * Delta encodings a plan already made, kept for the migration that follows.
 *
 * Planning encodes every chosen delta in full to predict its size; without
 * this the migration would encode each one again. The store is bounded by a
 * byte budget (offers beyond it are declined, and the migration re-encodes
 * those), so memory does not follow the repository's size. A resumed
 * migration has none and re-encodes everything.
 */
import type { EncodedObject } from '../codec/tensor-codec.js'
import { encodedSize } from './encoding.js'

/** Encoded bytes kept from a plan at most. */
export const PLANNED_PAYLOAD_BUDGET = 64 * 1024 * 1024

export class PlannedPayloads {
  private readonly byEdge = new Map<string, EncodedObject>()
  private bytes = 0

  constructor(readonly budget = PLANNED_PAYLOAD_BUDGET) {}

  /** Keeps the encoding of `id` against `base` if the budget allows. */
  offer(id: string, base: string, encoded: EncodedObject): void {
    const key = edgeKey(id, base)
    const size = encodedSize(encoded)
    if (this.byEdge.has(key) || this.bytes + size > this.budget) return
    this.byEdge.set(key, encoded)
    this.bytes += size
  }

  /** The kept encoding of `id` against `base`, if any. */
  get(id: string, base: string): EncodedObject | undefined {
    return this.byEdge.get(edgeKey(id, base))
  }

  /** Drops every encoding of a member in `members` except the edges in `keep`. */
  prune(members: ReadonlySet<string>, keep: ReadonlySet<string>): void {
    for (const [key, encoded] of this.byEdge) {
      if (members.has(key.slice(0, key.indexOf('>'))) && !keep.has(key)) {
        this.byEdge.delete(key)
        this.bytes -= encodedSize(encoded)
      }
    }
  }
}

/** The key of the edge `id` -> `base`. */
export function edgeKey(id: string, base: string): string {
  return `${id}>${base}`
}
