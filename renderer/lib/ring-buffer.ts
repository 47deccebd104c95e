/**
 * A fixed-capacity buffer that keeps the most recent items.
 *
 * Used for progress samples: a long migration emits thousands of events and
 * the charts only need the last few hundred.
 */
export class RingBuffer<T> {
  private readonly items: T[] = []
  private start = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`RingBuffer capacity must be a positive integer, got ${capacity}`)
    }
  }

  /** Number of items held (at most `capacity`). */
  get size(): number {
    return this.items.length
  }

  /** Appends an item, dropping the oldest when full. */
  push(item: T): void {
    if (this.items.length < this.capacity) {
      this.items.push(item)
      return
    }
    this.items[this.start] = item
    this.start = (this.start + 1) % this.capacity
  }

  /** The newest item, or undefined when empty. */
  last(): T | undefined {
    if (this.items.length === 0) {
      return undefined
    }
    const index = (this.start + this.items.length - 1) % this.items.length
    return this.items[index]
  }

  /** A new array of the items, oldest first. */
  toArray(): T[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)]
  }
}
