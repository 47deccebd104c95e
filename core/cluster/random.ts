/**
 * A small seeded pseudo-random generator for the clustering code.
 *
 * Clustering must give the same answer for the same seed on every machine, so
 * nothing here uses `Math.random`. mulberry32 is tiny, fast and good enough
 * for choosing seeds and samples (not for cryptography).
 */

/**
 * Returns a generator of uniform numbers in [0, 1) for `seed`.
 *
 * `seed` is any number; only its low 32 bits matter.
 */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Chooses `count` distinct indices from `0..total-1`, sorted ascending.
 *
 * Deterministic for a seed (a partial Fisher-Yates shuffle). Returns every
 * index when `count >= total`.
 */
export function sampleIndices(total: number, count: number, seed: number): number[] {
  if (count >= total) {
    return Array.from({ length: total }, (_, i) => i)
  }
  const random = createRandom(seed)
  const pool = Array.from({ length: total }, (_, i) => i)
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (total - i))
    const swap = pool[i]!
    pool[i] = pool[j]!
    pool[j] = swap
  }
  return pool.slice(0, count).sort((a, b) => a - b)
}
