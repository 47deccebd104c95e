/**
 * A bounded cache of decoded tensors: the `--batch-size` of a migration.
 *
 * Holds at most `capacity` tensors (least recently used evicted first), so
 * peak memory follows the batch size and the largest tensor, never the
 * repository. Every load goes through `ObjectStore.read`, which verifies the
 * tensor against its id.
 */
import type { ObjectStore } from '../store/object-store.js'
import type { Tensor } from '../tensor/tensor.js'

export class TensorCache {
  private readonly entries = new Map<string, Tensor>()
  /** Raw bytes decoded from the store so far (progress `bytesIn`). */
  bytesRead = 0

  constructor(
    private readonly objects: ObjectStore,
    /** Tensors held at once; at least 2 (a member and its base). */
    readonly capacity: number,
  ) {
    this.capacity = Math.max(2, Math.floor(capacity))
  }

  /**
   * The tensor `id`, read and verified on a miss. A delta's base comes from
   * the cache too; `depth` counts the delta hops that led here, so a damaged
   * store whose bases form a cycle still ends in `ObjectCorrupt`.
   */
  async get(id: string, depth = 0): Promise<Tensor> {
    const hit = this.entries.get(id)
    if (hit) {
      this.entries.delete(id)
      this.entries.set(id, hit)
      return hit
    }
    const tensor = await this.objects.read(id, depth, (base, baseDepth) =>
      this.get(base, baseDepth),
    )
    this.bytesRead += tensor.data.length
    this.put(id, tensor)
    return tensor
  }

  /** Adds a tensor computed elsewhere (a synthesized mean). */
  put(id: string, tensor: Tensor): void {
    this.entries.delete(id)
    this.entries.set(id, tensor)
    while (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value!)
    }
  }

  /** Forgets a tensor (its stored form changed or it was removed). */
  drop(id: string): void {
    this.entries.delete(id)
  }
}
