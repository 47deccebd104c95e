/**
 * Bounded concurrency for I/O-bound work.
 *
 * Object writes spend most of their time waiting for fsync in libuv's thread
 * pool; keeping a few in flight overlaps that wait with the next tensor's
 * encoding. The bound keeps memory at `limit` encoded objects.
 */

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index]!, index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
