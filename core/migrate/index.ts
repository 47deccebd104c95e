/**
 * The clustering migration engine's public API (see docs/CLUSTERING.md).
 */
export {
  createBackup,
  deleteBackup,
  listBackups,
  recoverInterruptedRestore,
  restoreBackup,
} from './backup.js'
export { readClusteringState } from './clustering-index.js'
export { dryRun, migrate } from './migrate.js'
export { installMixedMode } from './mixed-mode.js'
export { optimize } from './optimize.js'
export { defaultBatchSize, DEFAULT_THRESHOLD, planMigration, sweep } from './planner.js'
export { clusteringStatus } from './status.js'
export { validateRepository } from './validate.js'
