/**
 * `cluster status`: the clustering state, measured from the store.
 *
 * Sizes are object files on disk. A delta's standalone size is the one its
 * header recorded when it was encoded; a standalone object's is its own
 * size. See docs/CLUSTERING.md "Status figures".
 */
import type { StatusReport } from '../api/contract.js'
import { liveObjectIds } from '../repo/gc.js'
import type { Repository } from '../repo/repository.js'
import { readClusteringState } from './clustering-index.js'
import { isDeltaCodec } from '../store/object-format.js'

/** Measures the clustering status of `repo`. */
export async function clusteringStatus(repo: Repository): Promise<StatusReport> {
  const state = await readClusteringState(repo)
  const live = await repo.liveTensorIds()
  const needed = await liveObjectIds(repo)
  let rawBytes = 0
  let standaloneBytes = 0
  let neededStored = 0
  for (const id of needed) {
    const found = await repo.objects.readHeader(id).catch(() => undefined)
    if (!found) continue
    neededStored += found.storedBytes
    if (!live.has(id)) continue // a synthesized reference: overhead, no standalone size
    rawBytes += found.header.length
    standaloneBytes += isDeltaCodec(found.header.codec)
      ? (found.header.standaloneBytes ?? found.storedBytes)
      : found.storedBytes
  }
  const storedBytes = await repo.objects.totalBytes()
  const bytesSaved = standaloneBytes - neededStored
  return {
    ...state,
    storedBytes,
    rawBytes,
    standaloneBytes,
    bytesSaved,
    reduction: standaloneBytes > 0 ? bytesSaved / standaloneBytes : 0,
  }
}
