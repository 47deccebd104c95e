/**
 * Statistics and a histogram of a tensor's values, for `show` and the tensor
 * view. Values are decoded to float64 chunk by chunk, so memory stays at one
 * chunk whatever the tensor size. NaN and infinities are counted, not summed.
 */
import type { Histogram, TensorStats } from '../api/contract.js'
import { forEachValueChunk } from '../cluster/values.js'
import type { Tensor } from '../tensor/tensor.js'

const CHUNK = 1 << 16

/** Min, max, mean, population std, zeros, NaNs and infinities; null for an empty tensor. */
export function tensorStats(tensor: Tensor): TensorStats | null {
  let count = 0
  let finite = 0
  let min = Infinity
  let max = -Infinity
  let mean = 0
  let m2 = 0
  let zeros = 0
  let nans = 0
  let infinities = 0
  forEachValueChunk(tensor, CHUNK, (values) => {
    for (const v of values) {
      count++
      if (Number.isNaN(v)) {
        nans++
        continue
      }
      if (!Number.isFinite(v)) {
        infinities++
        continue
      }
      if (v === 0) zeros++
      if (v < min) min = v
      if (v > max) max = v
      // Welford's update keeps the variance accurate over millions of values.
      finite++
      const delta = v - mean
      mean += delta / finite
      m2 += delta * (v - mean)
    }
  })
  if (count === 0) {
    return null
  }
  if (finite === 0) {
    return { min: NaN, max: NaN, mean: NaN, std: NaN, zeros, nans, infinities }
  }
  return { min, max, mean, std: Math.sqrt(m2 / finite), zeros, nans, infinities }
}

/** Histogram of finite values over [min, max] in `bins` equal bins. */
export function tensorHistogram(
  tensor: Tensor,
  stats: TensorStats | null,
  bins = 40,
): Histogram | null {
  if (!stats || !Number.isFinite(stats.min) || !Number.isFinite(stats.max)) {
    return null
  }
  const width = (stats.max - stats.min) / bins || 1
  const counts = new Array<number>(bins).fill(0)
  forEachValueChunk(tensor, CHUNK, (values) => {
    for (const v of values) {
      if (Number.isFinite(v)) {
        counts[Math.min(bins - 1, Math.floor((v - stats.min) / width))]!++
      }
    }
  })
  const edges = Array.from({ length: bins + 1 }, (_, i) => stats.min + i * width)
  return { edges, counts }
}
