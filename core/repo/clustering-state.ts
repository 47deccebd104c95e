/**
 * The clustering state a front end shows for a repository.
 *
 * TODO: delegate to the migration engine's state reader once it lands;
 * remove this interim reader then.
 */
import type { ClusteringState } from '../api/contract.js'
import type { Repository } from './repository.js'
import { UNCLUSTERED } from './summary.js'

export async function clusteringStateOf(_repo: Repository): Promise<ClusteringState> {
  return UNCLUSTERED
}
