import { describe, expect, it } from 'vitest'

import type { ObjectStore } from '../store/object-store.js'
import type { Tensor } from '../tensor/tensor.js'
import { TensorCache } from './tensor-cache.js'

/** A store whose tensor `id` is `id` bytes long (ids are decimal sizes); counts reads. */
function sizedStore(): { objects: ObjectStore; reads: string[] } {
  const reads: string[] = []
  const objects = {
    async read(id: string): Promise<Tensor> {
      reads.push(id)
      return { dtype: 'U8', shape: [Number(id)], data: new Uint8Array(Number(id)) }
    },
  } as unknown as ObjectStore
  return { objects, reads }
}

async function load(cache: TensorCache, ids: string[]): Promise<void> {
  for (const id of ids) await cache.get(id)
}

describe('migrate/tensor-cache', () => {
  it('holds at most `capacity` tensors, evicting the least recently used', async () => {
    const { objects, reads } = sizedStore()
    const cache = new TensorCache(objects, 2)

    await load(cache, ['1', '2', '1', '3', '1', '2'])

    // '2' was the least recently used when '3' came in.
    expect(reads).toEqual(['1', '2', '3', '2'])
  })

  it('holds no more than `maxBytes` besides the newest tensor', async () => {
    const { objects, reads } = sizedStore()
    const cache = new TensorCache(objects, Number.POSITIVE_INFINITY, 100)

    await load(cache, ['40', '50', '40', '50'])
    expect(reads).toEqual(['40', '50'])

    await load(cache, ['30', '50', '40'])
    expect(reads).toEqual(['40', '50', '30', '40'])

    // A tensor larger than the budget is kept alone until the next one comes.
    await load(cache, ['500', '500', '40'])
    expect(reads).toEqual(['40', '50', '30', '40', '500', '40'])
    await load(cache, ['40'])
    expect(reads.length).toBe(6)
  })

  it('frees the bytes of a dropped or replaced tensor', async () => {
    const { objects, reads } = sizedStore()
    const cache = new TensorCache(objects, Number.POSITIVE_INFINITY, 100)

    await load(cache, ['60'])
    cache.drop('60')
    cache.put('60', { dtype: 'U8', shape: [60], data: new Uint8Array(60) })
    cache.put('60', { dtype: 'U8', shape: [60], data: new Uint8Array(60) })
    await load(cache, ['40', '60'])

    // 60 + 40 fit: the two puts of '60' count once.
    expect(reads).toEqual(['60', '40'])
  })
})
