/**
 * Synthetic tensor families for tests and benchmarks of the clustering code.
 *
 * A family is a random base vector and noisy copies of it; bases share a
 * common component so that families are distinct but positively correlated,
 * like the same layer in different training runs.
 */
import type { Tensor } from '../tensor/tensor.js'
import { createRandom } from './random.js'

/** Standard normal samples from a seeded generator (Box-Muller). */
export function gaussians(count: number, random: () => number): Float64Array {
  const out = new Float64Array(count)
  for (let i = 0; i < count; i += 2) {
    const u = 1 - random()
    const v = random()
    const r = Math.sqrt(-2 * Math.log(u))
    out[i] = r * Math.cos(2 * Math.PI * v)
    if (i + 1 < count) {
      out[i + 1] = r * Math.sin(2 * Math.PI * v)
    }
  }
  return out
}

/** A float32 tensor of the given shape holding `values` (rounded to float32). */
export function f32Tensor(
  values: ArrayLike<number>,
  shape: readonly number[] = [values.length],
): Tensor {
  return { dtype: 'F32', shape: [...shape], data: new Uint8Array(Float32Array.from(values).buffer) }
}

/** Options of `syntheticFamilies`. */
export interface FamilyOptions {
  families: number
  /** Noisy copies per family. */
  members: number
  /** Elements per tensor. */
  elements: number
  /** Noise standard deviation relative to the base's (1). Cosine to the base is about 1 / sqrt(1 + noise^2). */
  noise: number
  /** Weight of the component shared by all bases, 0 to 1: cosine between families is about shared^2. */
  shared: number
  seed: number
}

/**
 * Families of noisy F32 copies, interleaved (member j of family f is at
 * index `j * families + f`) so no strategy can rely on input order.
 */
export function syntheticFamilies(options: FamilyOptions): { tensors: Tensor[]; family: number[] } {
  const random = createRandom(options.seed)
  const { families, members, elements, noise, shared } = options
  const common = gaussians(elements, random)
  const own = Math.sqrt(1 - shared * shared)
  const bases = Array.from({ length: families }, () => {
    const g = gaussians(elements, random)
    return g.map((v, i) => shared * common[i]! + own * v)
  })
  const tensors: Tensor[] = []
  const family: number[] = []
  for (let j = 0; j < members; j++) {
    for (let f = 0; f < families; f++) {
      const g = gaussians(elements, random)
      tensors.push(f32Tensor(bases[f]!.map((v, i) => v + noise * g[i]!)))
      family.push(f)
    }
  }
  return { tensors, family }
}
