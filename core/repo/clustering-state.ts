/** The clustering state a front end shows for a repository (from the migration index). */
export { readClusteringState as clusteringStateOf } from '../migrate/clustering-index.js'
