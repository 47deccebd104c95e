/**
 * Bounded concurrency for I/O-bound work.
 *
 * Object writes spend most of their time waiting for fsync in libuv's thread
 * pool; keeping a few in flight overlaps that wait with the next tensor's
 * encoding. The bound keeps memory at `limit` encoded objects.
 */

/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results keep
 * input order. After a call fails no new one starts, and the first error is
 * thrown only once the calls already running have settled, so a caller that
 * releases a lock on error never leaves a write running behind it.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const index = next++
      try {
        results[index] = await fn(items[index]!, index)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failure !== undefined) {
    throw failure.error
  }
  return results
}
