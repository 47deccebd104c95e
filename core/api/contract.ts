/**
 * The one contract between the core and its front ends.
 *
 * The core runs in a worker (an Electron utility process in the app, a Node
 * child process under `coral-ml ui` and in tests). Main, preload, the worker,
 * the renderer and the browser server all speak these types. Only ids,
 * summaries and figures cross it: never tensor bytes. Every message is
 * structured-clone and JSON safe.
 *
 * Every figure here is defined in `docs/CLUSTERING.md` or `docs/FORMAT.md`.
 * Sizes are bytes; fractions are numbers from 0 to 1; times are ISO 8601
 * strings or milliseconds where the name says `Ms`.
 */
import type { SerializedError } from '../errors.js'
import type { DType } from '../tensor/dtype.js'

/** Version of this contract; bump on any incompatible change. */
export const CONTRACT_VERSION = 1

/** Clustering strategies offered by `cluster migrate --strategy`. */
export const STRATEGIES = ['adaptive', 'kmeans', 'hierarchical', 'dbscan'] as const
export type Strategy = (typeof STRATEGIES)[number]

// ---------------------------------------------------------------------------
// Repository
// ---------------------------------------------------------------------------

/** Where HEAD points. */
export interface HeadState {
  /** The attached branch, or null when HEAD is detached. */
  branch: string | null
  /** The commit HEAD resolves to, or null in a repository without commits. */
  commit: string | null
}

/** What the Overview screen and `coral-ml status --json` show. */
export interface RepoSummary {
  path: string
  head: HeadState
  commits: number
  branches: string[]
  tags: string[]
  /** Distinct (tensor name, tensor id) pairs reachable from any branch or tag. */
  tensorVersions: number
  /** Distinct tensor ids reachable from any branch or tag. */
  uniqueTensors: number
  /** Sum of the raw byte sizes of the unique tensors. */
  rawBytes: number
  /** Sum of the sizes of all object files in the store, measured on disk. */
  storedBytes: number
  /** Number of tensors staged for the next commit. */
  staged: number
  clustering: ClusteringState
}

/** Whether and how the store is clustered (mixed mode after a migration). */
export interface ClusteringState {
  migrated: boolean
  strategy: Strategy | null
  threshold: number | null
  clusters: number
  /** Unique tensors stored as a delta against a cluster reference. */
  clusteredTensors: number
  /** Unique tensors stored on their own. */
  standaloneTensors: number
  /** ISO time the last migration finished, or null. */
  lastMigration: string | null
}

/** One commit in `log`. */
export interface CommitSummary {
  id: string
  parents: string[]
  message: string
  author: string
  email: string
  /** ISO 8601 time of the commit. */
  timestamp: string
  tags: string[]
  /** Number of tensors in the commit's snapshot. */
  tensors: number
}

/** One tensor name in a commit. */
export interface TensorListing {
  name: string
  id: string
  dtype: DType
  shape: number[]
  byteLength: number
}

/** Summary statistics over a tensor's finite values. */
export interface TensorStats {
  min: number
  max: number
  mean: number
  std: number
  /** Elements equal to zero. */
  zeros: number
  nans: number
  infinities: number
}

/** Histogram of finite values: `counts[i]` values fell in `[edges[i], edges[i+1])`. */
export interface Histogram {
  edges: number[]
  counts: number[]
}

/** How one tensor id is stored. */
export interface StorageInfo {
  kind: 'standalone' | 'delta'
  /** Size of the object file on disk. */
  storedBytes: number
  /** Reference tensor id for a delta. */
  referenceId: string | null
  /** Cosine similarity to the reference, for a delta. */
  similarity: number | null
}

/** The tensor view. */
export interface TensorDetail extends TensorListing {
  commit: string
  stats: TensorStats | null
  histogram: Histogram | null
  storage: StorageInfo
}

// ---------------------------------------------------------------------------
// Clustering
// ---------------------------------------------------------------------------

/** Options shared by analyze, dry-run and migrate. */
export interface ClusterOptions {
  strategy: Strategy
  /** Minimum cosine similarity between a member and its reference, 0 to 1. */
  threshold: number
}

/** One member of a planned or existing cluster. */
export interface ClusterMember {
  tensorId: string
  /** Tensor names this id appears under. */
  names: string[]
  /** Commits (ids) whose snapshot contains this id. */
  commits: string[]
  /** Cosine similarity to the reference over the full tensor. */
  similarity: number
  /** Encoded size on its own. */
  standaloneBytes: number
  /** Encoded size as a delta against the reference (never above standalone). */
  deltaBytes: number
}

/** A cluster: one reference and the members stored as deltas against it. */
export interface ClusterReport {
  id: string
  /** The dtype-and-shape group, e.g. `F32[128, 64]`. */
  group: string
  referenceId: string
  /** A real member (medoid) or a synthesized element-wise mean. */
  referenceKind: 'medoid' | 'mean'
  /** Encoded size of the reference itself. */
  referenceBytes: number
  members: ClusterMember[]
}

/** Per dtype-and-shape group figures. */
export interface GroupReport {
  group: string
  dtype: DType
  shape: number[]
  tensors: number
  clusters: number
  clustered: number
  standalone: number
  /**
   * Strategy that produced this group's clusters (adaptive picks per group);
   * `none` when the group was not clustered: a group of one, or one where no
   * member was smaller as a delta against its nearest neighbour.
   */
  strategyUsed: Exclude<Strategy, 'adaptive'> | 'none'
  rawBytes: number
  predictedBytes: number
}

/** A point of the 2-D map of tensors (a projection of their sketches). */
export interface ProjectionPoint {
  tensorId: string
  name: string
  x: number
  y: number
  /** Cluster id, or null for a standalone tensor. */
  cluster: string | null
}

/** The result of `cluster analyze` and the core of a dry run. */
export interface ClusterPlan extends ClusterOptions {
  totalTensorVersions: number
  uniqueTensors: number
  groups: number
  potentialClusters: number
  clusteredTensors: number
  standaloneTensors: number
  /** Sum of raw sizes of unique tensors. */
  rawBytes: number
  /** Current store size, measured on disk. */
  currentStoredBytes: number
  /** Predicted store size after migration, from encoding the data. */
  predictedStoredBytes: number
  /** 1 - predictedStoredBytes / currentStoredBytes. */
  estimatedReduction: number
  /** Mean cosine similarity of clustered members to their reference (0 when none). */
  clusteringQuality: number
  /** How the prediction was made: every tensor encoded, or a sample. */
  prediction: { method: 'full' | 'sample'; sampledTensors: number; errorBound: number }
  groupBreakdown: GroupReport[]
  clusters: ClusterReport[]
  projection: { points: ProjectionPoint[]; total: number; cap: number }
  elapsedMs: number
}

/** `cluster migrate --dry-run`. */
export interface DryRunReport extends ClusterPlan {
  /** Bytes a `--backup` copy of the store would take. */
  backupBytes: number
}

/** One point of the threshold curve. */
export interface SweepPoint {
  threshold: number
  clusters: number
  clusteredTensors: number
  predictedStoredBytes: number
  estimatedReduction: number
}

/** Options of `cluster migrate`. */
export interface MigrateOptions extends ClusterOptions {
  backup: boolean
  dryRun: boolean
  /**
   * Maximum number of tensors held in memory at once; absent: as many
   * tensors of the largest one's size as fit in 256 MiB, and at least 8
   * (docs/CLUSTERING.md).
   */
  batchSize?: number
  force: boolean
}

/** The result of a completed `cluster migrate`. */
export interface MigrationReport extends ClusterOptions {
  tensorsProcessed: number
  clustersCreated: number
  clusteredTensors: number
  standaloneTensors: number
  storedBytesBefore: number
  storedBytesAfter: number
  predictedStoredBytes: number
  /** storedBytesBefore - storedBytesAfter, measured on disk. */
  bytesSaved: number
  /** bytesSaved / storedBytesBefore. */
  reduction: number
  elapsedMs: number
  backupPath: string | null
  /** True when this run continued an interrupted migration. */
  resumed: boolean
  validation: ValidationReport
}

/** `cluster status`. */
export interface StatusReport extends ClusteringState {
  storedBytes: number
  rawBytes: number
  /** What the same tensors took stored standalone, measured when they were encoded. */
  standaloneBytes: number
  /** standaloneBytes - storedBytes for the clustered tensors. */
  bytesSaved: number
  /** bytesSaved / standaloneBytes. */
  reduction: number
}

/** One problem found by validation. */
export interface ValidationProblem {
  kind:
    | 'corrupt-object'
    | 'missing-object'
    | 'orphan-object'
    | 'temp-file'
    | 'unfinished-migration'
    | 'damaged-index'
    | 'bad-ref'
  message: string
  tensorId?: string
  commit?: string
  path?: string
  /** True when `--fix` repaired it. */
  fixed: boolean
}

/** `cluster validate [--fix]`. */
export interface ValidationReport {
  ok: boolean
  commitsChecked: number
  tensorsChecked: number
  problems: ValidationProblem[]
  fixed: number
  unfixed: number
  elapsedMs: number
  /**
   * A cancelled or interrupted migration waiting to be resumed. It is a state,
   * not damage: every tensor reads back exactly in its current form, and
   * `cluster migrate` (or `validate --fix`) finishes it. Null when none.
   */
  pendingMigration: PendingMigration | null
}

/** Where a paused migration stands (from its journal). */
export interface PendingMigration {
  startedAt: string
  phase: string
  /** Tensors of the encode phase done, of `total`. */
  done: number
  total: number
}

/** `cluster optimize`. */
export interface OptimizeReport {
  bytesBefore: number
  bytesAfter: number
  /** Tensors whose encoding changed (new deltas, better references). */
  reencoded: number
  removedObjects: number
  elapsedMs: number
}

/** One backup of the store. */
export interface BackupInfo {
  /** The folder name, e.g. `.coral_backup_20261203_201500`. */
  id: string
  path: string
  createdAt: string
  bytes: number
  /** Commits reachable in the backup, recorded when it was taken (absent in older backups). */
  commits?: number
  /** Whether the backed-up store was clustered (absent in older backups). */
  clustered?: boolean
}

/** Outcome of reading one tensor version of a Python-Coral repository. */
export interface ImportedTensor {
  commit: string
  name: string
  status: 'verified' | 'unverifiable' | 'mismatched' | 'unreadable'
  detail: string
}

/** `import-coral`. */
export interface ImportReport {
  source: string
  target: string
  dialect: 'clustering-era' | 'v1.1'
  commits: number
  branches: string[]
  tags: string[]
  tensors: ImportedTensor[]
  verified: number
  unverifiable: number
  mismatched: number
  unreadable: number
  backupPath: string | null
  elapsedMs: number
}

// ---------------------------------------------------------------------------
// Requests, progress and envelopes
// ---------------------------------------------------------------------------

/** Progress of a long request; the core sends at most about ten per second. */
export interface Progress {
  /** What is being done, e.g. `sketch`, `cluster`, `encode`, `validate`. */
  phase: string
  done: number
  total: number
  bytesIn: number
  bytesOut: number
  /** Milliseconds since the request started. */
  elapsedMs: number
}

/** Every request the core answers: method name to params and result. */
export interface CoreRequests {
  openRepository: { params: { path: string }; result: RepoSummary }
  openDemoRepository: { params: Record<string, never>; result: RepoSummary }
  detectRepository: {
    params: { path: string }
    result: { kind: 'coral' | 'python-coral' | 'none' }
  }
  importPythonCoral: { params: { path: string }; result: ImportReport }
  summary: { params: Record<string, never>; result: RepoSummary }
  log: { params: { limit?: number }; result: CommitSummary[] }
  listTensors: { params: { ref?: string }; result: TensorListing[] }
  tensorDetail: { params: { name: string; ref?: string }; result: TensorDetail }
  analyze: { params: ClusterOptions; result: ClusterPlan }
  dryRun: { params: ClusterOptions; result: DryRunReport }
  sweep: {
    params: { strategy: Strategy; thresholds: number[] }
    result: SweepPoint[]
  }
  migrate: { params: MigrateOptions; result: MigrationReport }
  status: { params: Record<string, never>; result: StatusReport }
  validate: { params: { fix: boolean }; result: ValidationReport }
  optimize: { params: Record<string, never>; result: OptimizeReport }
  listBackups: { params: Record<string, never>; result: BackupInfo[] }
  createBackup: { params: Record<string, never>; result: BackupInfo }
  restoreBackup: { params: { id: string }; result: RepoSummary }
  deleteBackup: { params: { id: string }; result: BackupInfo[] }
}

export type CoreMethod = keyof CoreRequests
export type ParamsOf<M extends CoreMethod> = CoreRequests[M]['params']
export type ResultOf<M extends CoreMethod> = CoreRequests[M]['result']

/** A message to the core. */
export type ToCore =
  | { kind: 'request'; id: number; method: CoreMethod; params: unknown }
  | { kind: 'cancel'; id: number }

/** A message from the core. */
export type FromCore =
  | { kind: 'ready'; version: number }
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: SerializedError }
  | { kind: 'progress'; id: number; progress: Progress }
