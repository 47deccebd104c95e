/**
 * A bounded cache of decoded tensors: the `--batch-size` of a migration.
 *
 * Holds at most `capacity` tensors (least recently used evicted first), and
 * when given `maxBytes`, no more decoded bytes than that beyond the tensor
 * last added, so peak memory follows the bounds and the largest tensor, never
 * the repository. Every load goes through `ObjectStore.read`, which verifies
 * the tensor against its id.
 */
import type { ObjectStore } from '../store/object-store.js'
import type { Tensor } from '../tensor/tensor.js'

export class TensorCache {
  private readonly entries = new Map<string, Tensor>()
  /** Decoded bytes of the tensors held now. */
  private bytesHeld = 0
  /** Raw bytes decoded from the store so far (progress `bytesIn`). */
  bytesRead = 0

  constructor(
    private readonly objects: ObjectStore,
    /** Tensors held at once; at least 2 (a member and its base). */
    readonly capacity: number,
    /** Decoded bytes held at once (the newest tensor is kept whatever its size). */
    readonly maxBytes = Number.POSITIVE_INFINITY,
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
    this.drop(id)
    this.entries.set(id, tensor)
    this.bytesHeld += tensor.data.byteLength
    while (
      this.entries.size > this.capacity ||
      (this.bytesHeld > this.maxBytes && this.entries.size > 1)
    ) {
      this.drop(this.entries.keys().next().value!)
    }
  }

  /** Forgets a tensor (its stored form changed or it was removed). */
  drop(id: string): void {
    const held = this.entries.get(id)
    if (held) {
      this.entries.delete(id)
      this.bytesHeld -= held.data.byteLength
    }
  }
}
