/**
 * The migration planner: which tensor is stored how, and what it will cost.
 *
 * Per dtype-and-shape group: sketch every member (streaming, one tensor at a
 * time), leave the group standalone when no member pays as a delta against
 * its nearest neighbour (`delta-screen.ts`), else cluster the sketches with
 * the chosen strategy ('adaptive' tries each proposed strategy and keeps the
 * partition whose plan encodes to the fewest bytes), then inside each
 * cluster build a depth-limited reference tree (`forest.ts`) rooted at the
 * medoid or at a synthesized mean, whichever encodes smaller. Every edge is
 * then checked on the full tensors: a member whose cosine to its base is
 * below the threshold, or whose delta is not smaller than its standalone
 * encoding, stays standalone.
 *
 * Predicted bytes come from encoding every tensor exactly as the migration
 * will write it (same codec, same header), so the real migration lands on
 * the prediction. Nothing is written: planning only reads the store.
 */
import type {
  ClusterMember,
  ClusterPlan,
  ClusterReport,
  GroupReport,
  ProjectionPoint,
  Strategy,
  SweepPoint,
} from '../api/contract.js'
import { STRATEGIES } from '../api/contract.js'
import { projectSketches } from '../cluster/projection.js'
import { meanTensor } from '../cluster/reference.js'
import type { ClusterStrategy } from '../cluster/result.js'
import { cosineSimilarity } from '../cluster/similarity.js'
import { sketchCosine, sketchTensor } from '../cluster/sketch.js'
import { clusterSketchesAsync, proposeStrategies } from '../cluster/strategy.js'
import { ensureZstd } from '../codec/zstd.js'
import { CoralError, throwIfAborted } from '../errors.js'
import type { ProgressCallback } from '../repo/progress.js'
import type { Repository } from '../repo/repository.js'
import { tensorId } from '../store/tensor-id.js'
import type { Tensor } from '../tensor/tensor.js'
import { collectCandidates, type CandidateGroup, type CandidateSet } from './candidates.js'
import { deltaObject, encodedSize, estimatedDeltaBytes, standaloneObject } from './encoding.js'
import { buildForest, MAX_PLAN_DEPTH } from './forest.js'
import { someNearestNeighbourPays } from './delta-screen.js'
import { createThrottle } from './throttle.js'
import { edgeKey, PlannedPayloads } from './planned-payloads.js'
import { TensorCache } from './tensor-cache.js'
import { isDeltaCodec } from '../store/object-format.js'

/** Threshold used when none is given; see docs/CLUSTERING.md "Default threshold". */
export const DEFAULT_THRESHOLD = 0.9

/** Decoded tensor bytes the default batch is sized to hold (see `defaultBatchSize`). */
export const DEFAULT_BATCH_BYTES = 256 * 1024 * 1024

/** The smallest default batch, in tensors, however large the tensors are. */
export const MIN_DEFAULT_BATCH_SIZE = 8

/**
 * The batch size used when none is given: as many tensors of the largest
 * candidate's size as fit in `DEFAULT_BATCH_BYTES`, and at least
 * `MIN_DEFAULT_BATCH_SIZE`. So the held tensors take at most 256 MiB, or 8
 * of the largest where that is more: a small multiple of the largest tensor
 * (design principle 5), where the fixed 64 this replaced could reach
 * gigabytes on a model with 100 MB tensors. A batch that holds a whole dtype-and-shape
 * group lets planning read each tensor once instead of once per pass over the
 * group (measured on zoo/lm+ft: 2,881 verified reads of 890 tensors at 64,
 * 890 at this default; docs/CLUSTERING.md, `cluster migrate`).
 */
export function defaultBatchSize(largestTensorBytes: number): number {
  return Math.max(
    MIN_DEFAULT_BATCH_SIZE,
    Math.floor(DEFAULT_BATCH_BYTES / Math.max(1, largestTensorBytes)),
  )
}

/** Sketch length used by the planner. */
export const PLAN_SKETCH_DIMS = 256

/** Options of a plan. */
export interface PlanOptions {
  strategy: Strategy
  /** Minimum full-tensor cosine between a member and its base, 0 to 1. */
  threshold: number
  /** Tensors held in memory at once (at least 2; default `defaultBatchSize`). */
  batchSize?: number
  /** Deepest reference chain in delta hops (default 3). */
  maxDepth?: number
}

/** Cancellation and progress of a long call. */
export interface RunOptions {
  signal?: AbortSignal
  onProgress?: ProgressCallback
  /** Minimum milliseconds between progress reports (default 100; tests use 0). */
  progressIntervalMs?: number
}

/** How one unique tensor is to be stored. */
export interface PlanEntry {
  id: string
  /** Base tensor id of a delta, or null for standalone. */
  base: string | null
  /** Full-tensor cosine to the base (null when standalone). */
  similarity: number | null
  /** Object size standalone. */
  standaloneBytes: number
  /** Object size in the planned form. */
  bytes: number
  /** Index of the cluster in `StoragePlan.clusters`, or -1. */
  cluster: number
}

/** A synthesized mean reference to write before the members that use it. */
export interface PlanMean {
  id: string
  group: string
  /** The member ids whose element-wise mean it is. */
  members: string[]
  bytes: number
}

/** A cluster as the index records it. */
export interface PlanCluster {
  id: string
  group: string
  strategy: ClusterStrategy
  referenceId: string
  referenceKind: 'medoid' | 'mean'
  referenceBytes: number
  /** Ids stored as deltas inside this cluster's tree. */
  members: string[]
}

/** The executable plan, as the migration journal records it. */
export interface StoragePlan {
  strategy: Strategy
  threshold: number
  maxDepth: number
  /** Tensors held in memory at once while planning, and by the migration that runs the plan. */
  batchSize: number
  /** Every candidate, parents before children. */
  entries: PlanEntry[]
  means: PlanMean[]
  clusters: PlanCluster[]
  /** Store size when planned, measured on disk. */
  currentStoredBytes: number
  predictedStoredBytes: number
}

/** Checks plan options; throws `InvalidArgument`. */
export function checkPlanOptions(options: PlanOptions): void {
  if (!STRATEGIES.includes(options.strategy)) {
    throw new CoralError(
      'InvalidArgument',
      `Unknown strategy "${String(options.strategy)}"; use one of ${STRATEGIES.join(', ')}`,
    )
  }
  if (
    typeof options.threshold !== 'number' ||
    !(options.threshold >= 0 && options.threshold <= 1)
  ) {
    throw new CoralError(
      'InvalidArgument',
      `The threshold must be a number from 0 to 1, got ${options.threshold}`,
    )
  }
  if (
    options.batchSize !== undefined &&
    !(Number.isSafeInteger(options.batchSize) && options.batchSize >= 1)
  ) {
    throw new CoralError(
      'InvalidArgument',
      `The batch size must be a positive integer, got ${options.batchSize}`,
    )
  }
}

interface EdgeResult {
  similarity: number
  /** Delta object size, computed only when needed. */
  bytes?: number
  /** Delta object size estimated from a sample (equal to `bytes` for small tensors). */
  estimate?: number
}

/**
 * How a tree's delta sizes are measured: `estimate` encodes a sample of each
 * large tensor (to compare candidate trees and partitions), `exact` encodes
 * every byte (the chosen tree, whose sizes become the prediction).
 */
type Precision = 'estimate' | 'exact'

/** Caches shared by every plan made from one context (sweep reuses them). */
class PlanContext {
  readonly cache: TensorCache
  readonly sketches = new Map<string, Float32Array>()
  readonly standalone = new Map<string, number>()
  readonly edges = new Map<string, EdgeResult>()
  readonly means = new Map<string, { id: string; bytes: number; sketch: Float32Array } | null>()
  readonly partitions = new Map<string, { strategy: ClusterStrategy; clusters: number[][] }[]>()
  /** Exact encodings of the chosen deltas, for the migration to write. */
  readonly payloads = new PlannedPayloads()
  planned = 0
  bytesOut = 0

  constructor(
    readonly repo: Repository,
    readonly set: CandidateSet,
    readonly batchSize: number,
    readonly run: RunOptions,
    private readonly progress: (phase: string, done: number, total: number) => void,
  ) {
    this.cache = new TensorCache(repo.objects, batchSize)
  }

  emit(phase: string, done: number, total: number): void {
    this.progress(phase, done, total)
  }

  async sketchOf(id: string): Promise<Float32Array> {
    let sketch = this.sketches.get(id)
    if (!sketch) {
      sketch = sketchTensor(await this.cache.get(id), { dims: PLAN_SKETCH_DIMS })
      this.sketches.set(id, sketch)
    }
    return sketch
  }

  async standaloneBytes(id: string): Promise<number> {
    let bytes = this.standalone.get(id)
    if (bytes === undefined) {
      const candidate = this.set.candidates.get(id)
      // A standalone object's file is exactly what the migration would keep.
      if (candidate && !isDeltaCodec(candidate.header.codec)) {
        bytes = candidate.storedBytes
      } else {
        bytes = encodedSize(standaloneObject(await this.cache.get(id)))
      }
      this.standalone.set(id, bytes)
    }
    return bytes
  }

  /** Similarity of `id` to `baseId`; the delta size too (measured with `precision`) when asked. */
  async edge(
    id: string,
    baseId: string,
    baseTensor: Tensor | undefined,
    precision?: Precision,
  ): Promise<EdgeResult> {
    const key = `${id}>${baseId}`
    const known = this.edges.get(key)
    const wanted =
      precision === 'exact' ? known?.bytes : precision ? known?.estimate : known?.similarity
    if (known && wanted !== undefined) {
      return known
    }
    const tensor = await this.cache.get(id)
    const base = baseTensor ?? (await this.cache.get(baseId))
    const result: EdgeResult = known ?? { similarity: finiteOr0(cosineSimilarity(tensor, base)) }
    if (precision === 'exact') {
      const standalone = await this.standaloneBytes(id)
      const encoded = deltaObject(tensor, base, baseId, result.similarity, standalone)
      this.payloads.offer(id, baseId, encoded)
      result.bytes = encodedSize(encoded)
      result.estimate ??= result.bytes
    } else if (precision === 'estimate') {
      const standalone = await this.standaloneBytes(id)
      const estimate = estimatedDeltaBytes(tensor, base, baseId, result.similarity, standalone)
      result.estimate = estimate.bytes
      if (estimate.encoded) {
        this.payloads.offer(id, baseId, estimate.encoded)
        result.bytes = estimate.bytes
      }
    }
    this.edges.set(key, result)
    return result
  }
}

function finiteOr0(x: number): number {
  return Number.isFinite(x) ? x : 0
}

/** The outcome of planning one cluster's tree. */
interface ClusterOutcome {
  bytes: number
  kind: 'medoid' | 'mean'
  referenceId: string
  referenceBytes: number
  mean: PlanMean | null
  /** Entries in write order (parents first), for every member. */
  entries: PlanEntry[]
}

/**
 * Plans one cluster's tree: rooted at the medoid, or at a synthesized mean
 * when that is smaller. `only` skips the other kind (the exact pass re-plans
 * the kind the estimate pass chose).
 */
async function planCluster(
  ctx: PlanContext,
  group: CandidateGroup,
  ids: string[],
  threshold: number,
  maxDepth: number,
  precision: Precision,
  only?: 'medoid' | 'mean',
): Promise<ClusterOutcome> {
  const n = ids.length
  const sketches = await Promise.all(ids.map((id) => ctx.sketchOf(id)))
  const matrix = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    matrix[i * n + i] = 1
    for (let j = i + 1; j < n; j++) {
      const c = sketchCosine(sketches[i]!, sketches[j]!)
      matrix[i * n + j] = c
      matrix[j * n + i] = c
    }
  }
  // Medoid: the member with the largest summed similarity to the others.
  let root = 0
  let bestSum = -Infinity
  for (let i = 0; i < n; i++) {
    let sum = 0
    for (let j = 0; j < n; j++) sum += matrix[i * n + j]!
    if (sum > bestSum) {
      bestSum = sum
      root = i
    }
  }
  const planMedoid = () =>
    evaluateTree(ctx, ids, null, threshold, maxDepth, root, (i, j) => matrix[i * n + j]!, precision)
  const medoid = only === 'mean' ? undefined : await planMedoid()
  // A mean needs every member in memory at once, so only within the batch.
  if (only === 'medoid' || n < 3 || n + 1 > ctx.batchSize) {
    return medoid ?? planMedoid()
  }
  const mean = await meanOf(ctx, ids)
  if (!mean) {
    return medoid ?? planMedoid()
  }
  const sim = (i: number, j: number): number => {
    if (i === n || j === n) {
      const other = i === n ? j : i
      return other === n ? 1 : sketchCosine(sketches[other]!, mean.sketch)
    }
    return matrix[i * n + j]!
  }
  const viaMean = await evaluateTree(
    ctx,
    ids,
    { ...mean, group: group.key, members: ids },
    threshold,
    maxDepth,
    n,
    sim,
    precision,
  )
  // On an exact re-plan the mean may turn out to serve no member (Infinity).
  const other = medoid ?? (viaMean.bytes === Infinity ? await planMedoid() : undefined)
  return other === undefined || viaMean.bytes < other.bytes ? viaMean : other
}

async function meanOf(
  ctx: PlanContext,
  ids: string[],
): Promise<{ id: string; bytes: number; sketch: Float32Array; tensor?: Tensor } | null> {
  const key = ids.join(',')
  const known = ctx.means.get(key)
  if (known !== undefined) {
    return known
  }
  const members: Tensor[] = []
  for (const id of ids) {
    members.push(await ctx.cache.get(id))
  }
  const tensor = meanTensor(members)
  const id = tensorId(tensor)
  if (ctx.set.candidates.has(id)) {
    ctx.means.set(key, null)
    return null
  }
  const entry = {
    id,
    bytes: encodedSize(standaloneObject(tensor)),
    sketch: sketchTensor(tensor, { dims: PLAN_SKETCH_DIMS }),
  }
  ctx.means.set(key, entry)
  return { ...entry, tensor }
}

/**
 * Encodes a tree's edges and returns its cost. With `mean`, node `ids.length`
 * is the synthesized mean (the root); otherwise `root` is a member.
 */
async function evaluateTree(
  ctx: PlanContext,
  ids: string[],
  mean: (PlanMean & { tensor?: Tensor | undefined; sketch?: Float32Array }) | null,
  threshold: number,
  maxDepth: number,
  root: number,
  similarity: (i: number, j: number) => number,
  precision: Precision,
): Promise<ClusterOutcome> {
  const n = ids.length
  const nodes = mean ? n + 1 : n
  const forest = buildForest(nodes, root, similarity, maxDepth)
  const idOf = (i: number) => (i === n ? mean!.id : ids[i]!)
  let meanTensorValue = mean?.tensor
  const entries: PlanEntry[] = []
  let bytes = 0
  let meanUsed = false
  for (const v of forest.order) {
    throwIfAborted(ctx.run.signal)
    if (v === n && mean) {
      continue
    }
    const id = ids[v]!
    const standalone = await ctx.standaloneBytes(id)
    let entry: PlanEntry = {
      id,
      base: null,
      similarity: null,
      standaloneBytes: standalone,
      bytes: standalone,
      cluster: -1,
    }
    const p = forest.parent[v]!
    if (p >= 0) {
      const baseId = idOf(p)
      let baseTensor: Tensor | undefined
      if (p === n && mean) {
        if (!meanTensorValue) {
          // The cached mean entry dropped its tensor: rebuild it (deterministic).
          const members: Tensor[] = []
          for (const m of ids) members.push(await ctx.cache.get(m))
          meanTensorValue = meanTensor(members)
        }
        baseTensor = meanTensorValue
      }
      const probe = await ctx.edge(id, baseId, baseTensor)
      if (probe.similarity >= threshold) {
        const measured = await ctx.edge(id, baseId, baseTensor, precision)
        const deltaBytes = precision === 'exact' ? measured.bytes! : measured.estimate!
        if (deltaBytes < standalone) {
          entry = { ...entry, base: baseId, similarity: measured.similarity, bytes: deltaBytes }
          if (p === n) {
            meanUsed = true
          }
        }
      }
    }
    entries.push(entry)
    bytes += entry.bytes
  }
  if (mean && meanUsed) {
    bytes += mean.bytes
    return {
      bytes,
      kind: 'mean',
      referenceId: mean.id,
      referenceBytes: mean.bytes,
      mean: { id: mean.id, group: mean.group, members: [...ids], bytes: mean.bytes },
      entries,
    }
  }
  if (mean) {
    // The mean serves no member: this tree is never better than the medoid's.
    return {
      bytes: Infinity,
      kind: 'mean',
      referenceId: mean.id,
      referenceBytes: 0,
      mean: null,
      entries,
    }
  }
  const rootId = ids[root]!
  return {
    bytes,
    kind: 'medoid',
    referenceId: rootId,
    referenceBytes: await ctx.standaloneBytes(rootId),
    mean: null,
    entries,
  }
}

/** A group's chosen plan. */
interface GroupOutcome {
  strategyUsed: ClusterStrategy | 'none'
  bytes: number
  clusters: { strategy: ClusterStrategy; outcome: ClusterOutcome }[]
  standalone: PlanEntry[]
}

async function partitionsOf(
  ctx: PlanContext,
  group: CandidateGroup,
  strategy: Strategy,
  threshold: number,
): Promise<{ strategy: ClusterStrategy; clusters: number[][] }[]> {
  const key = `${group.key}|${strategy}|${threshold}`
  const known = ctx.partitions.get(key)
  if (known) {
    return known
  }
  const sketches: Float32Array[] = []
  for (const id of group.ids) {
    sketches.push(await ctx.sketchOf(id))
  }
  const strategies: ClusterStrategy[] =
    strategy === 'adaptive' ? proposeStrategies(group.ids.length) : [strategy]
  const seen = new Set<string>()
  const out: { strategy: ClusterStrategy; clusters: number[][] }[] = []
  for (const s of strategies) {
    const result = await clusterSketchesAsync(sketches, {
      strategy: s,
      threshold,
      seed: 0,
      ...(ctx.run.signal ? { signal: ctx.run.signal } : {}),
    })
    const signature = JSON.stringify(result.clusters)
    if (!seen.has(signature)) {
      seen.add(signature)
      out.push({ strategy: s, clusters: result.clusters })
    }
  }
  ctx.partitions.set(key, out)
  return out
}

async function planGroup(
  ctx: PlanContext,
  group: CandidateGroup,
  strategy: Strategy,
  threshold: number,
  maxDepth: number,
): Promise<GroupOutcome> {
  const standaloneEntry = async (id: string): Promise<PlanEntry> => {
    const bytes = await ctx.standaloneBytes(id)
    return { id, base: null, similarity: null, standaloneBytes: bytes, bytes, cluster: -1 }
  }
  const allStandalone = async (): Promise<GroupOutcome> => {
    const standalone = await Promise.all(group.ids.map(standaloneEntry))
    return {
      strategyUsed: 'none',
      bytes: sum(standalone.map((e) => e.bytes)),
      clusters: [],
      standalone,
    }
  }
  if (group.ids.length < 2) {
    return allStandalone()
  }
  const sketches = await Promise.all(group.ids.map((id) => ctx.sketchOf(id)))
  const worthClustering = await someNearestNeighbourPays(
    sketches,
    (i, j) => deltaPays(ctx, group.ids[i]!, group.ids[j]!, threshold),
    ctx.run.signal,
  )
  if (!worthClustering) {
    return allStandalone()
  }
  // Partitions and tree kinds are compared on estimated sizes; only the
  // winner is encoded in full, and its exact sizes are what the plan reports.
  let best:
    | {
        partition: number[][]
        strategy: ClusterStrategy
        kinds: ('medoid' | 'mean')[]
        bytes: number
      }
    | undefined
  for (const partition of await partitionsOf(ctx, group, strategy, threshold)) {
    const kinds: ('medoid' | 'mean')[] = []
    let bytes = 0
    for (const members of partition.clusters) {
      const ids = members.map((m) => group.ids[m]!)
      const outcome = await planCluster(ctx, group, ids, threshold, maxDepth, 'estimate')
      kinds.push(outcome.kind)
      bytes += outcome.bytes
    }
    const inCluster = new Set(partition.clusters.flat())
    for (let i = 0; i < group.ids.length; i++) {
      if (!inCluster.has(i)) bytes += await ctx.standaloneBytes(group.ids[i]!)
    }
    if (!best || bytes < best.bytes) {
      best = { partition: partition.clusters, strategy: partition.strategy, kinds, bytes }
    }
  }
  const chosen = best!
  const clusters: GroupOutcome['clusters'] = []
  for (const [c, members] of chosen.partition.entries()) {
    const ids = members.map((m) => group.ids[m]!)
    const outcome = await planCluster(
      ctx,
      group,
      ids,
      threshold,
      maxDepth,
      'exact',
      chosen.kinds[c],
    )
    clusters.push({ strategy: chosen.strategy, outcome })
  }
  const inCluster = new Set(chosen.partition.flat())
  const standalone: PlanEntry[] = []
  for (let i = 0; i < group.ids.length; i++) {
    if (!inCluster.has(i)) standalone.push(await standaloneEntry(group.ids[i]!))
  }
  const bytes = sum(clusters.map((c) => c.outcome.bytes)) + sum(standalone.map((e) => e.bytes))
  return { strategyUsed: chosen.strategy, bytes, clusters, standalone }
}

/** Whether `id` passes the threshold against `baseId` and is (by estimate) smaller as a delta. */
async function deltaPays(
  ctx: PlanContext,
  id: string,
  baseId: string,
  threshold: number,
): Promise<boolean> {
  const { similarity } = await ctx.edge(id, baseId, undefined)
  if (similarity < threshold) {
    return false
  }
  const measured = await ctx.edge(id, baseId, undefined, 'estimate')
  return measured.estimate! < (await ctx.standaloneBytes(id))
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}

/** A plan and its report, whose cluster-map projection is made only when asked for. */
export interface PlanResult {
  report: Omit<ClusterPlan, 'projection'>
  plan: StoragePlan
  /** Encodings of the plan's deltas made while planning (within a budget). */
  payloads: PlannedPayloads
  /**
   * The 2-D projection of the sketches for the cluster map. A migration and
   * a threshold sweep have no use for it (it took 86 ms of a zoo/lm+ft migration).
   */
  projection(): ClusterPlan['projection']
}

/** The whole report of a plan, projection included (its time counted in `elapsedMs`). */
export function fullReport(result: PlanResult): ClusterPlan {
  const started = performance.now()
  const projection = result.projection()
  return {
    ...result.report,
    projection,
    elapsedMs: result.report.elapsedMs + Math.round(performance.now() - started),
  }
}

/**
 * Computes the full plan by encoding every tensor as it would be stored.
 *
 * Reads only; writes nothing. Progress phases: `sketch`, `plan`.
 */
export async function buildStoragePlan(
  repo: Repository,
  options: PlanOptions,
  run: RunOptions = {},
): Promise<PlanResult> {
  checkPlanOptions(options)
  const started = performance.now()
  await ensureZstd()
  const set = await collectCandidates(repo, run.signal)
  const ctx = makeContext(repo, set, options, run)
  const result = await planWithContext(ctx, options)
  result.report.elapsedMs = Math.round(performance.now() - started)
  return result
}

function makeContext(
  repo: Repository,
  set: CandidateSet,
  options: PlanOptions,
  run: RunOptions,
): PlanContext {
  const throttle = createThrottle(run.onProgress, run.progressIntervalMs)
  const ctx: PlanContext = new PlanContext(
    repo,
    set,
    Math.max(2, options.batchSize ?? defaultBatchSize(largestRawBytes(set))),
    run,
    (phase, done, total) =>
      throttle(
        { phase, done, total, bytesIn: ctx.cache.bytesRead, bytesOut: ctx.bytesOut },
        done === total,
      ),
  )
  return ctx
}

function largestRawBytes(set: CandidateSet): number {
  let largest = 0
  for (const candidate of set.candidates.values()) largest = Math.max(largest, candidate.rawBytes)
  return largest
}

async function planWithContext(ctx: PlanContext, options: PlanOptions): Promise<PlanResult> {
  const { set, repo } = ctx
  const maxDepth = options.maxDepth ?? MAX_PLAN_DEPTH
  const total = set.candidates.size
  // Sketch everything first, streaming (one tensor read at a time).
  let sketched = 0
  for (const group of set.groups) {
    if (group.ids.length < 2) {
      sketched += group.ids.length
      continue
    }
    for (const id of group.ids) {
      throwIfAborted(ctx.run.signal)
      await ctx.sketchOf(id)
      ctx.emit('sketch', ++sketched, total)
    }
  }
  const entries: PlanEntry[] = []
  const means: PlanMean[] = []
  const clusters: PlanCluster[] = []
  const reports: ClusterReport[] = []
  const groupReports: GroupReport[] = []
  let planned = 0
  let similaritySum = 0
  let clustered = 0
  for (const group of set.groups) {
    throwIfAborted(ctx.run.signal)
    const outcome = await planGroup(ctx, group, options.strategy, options.threshold, maxDepth)
    const chosen = outcome.clusters.flatMap(({ outcome: c }) =>
      c.entries.filter((e) => e.base !== null).map((e) => edgeKey(e.id, e.base!)),
    )
    ctx.payloads.prune(new Set(group.ids), new Set(chosen))
    let groupClusters = 0
    let groupClustered = 0
    for (const entry of outcome.standalone) entries.push(entry)
    for (const { strategy, outcome: c } of outcome.clusters) {
      const deltas = c.entries.filter((e) => e.base !== null)
      if (deltas.length === 0) {
        for (const entry of c.entries) entries.push(entry)
        continue
      }
      const index = clusters.length
      const clusterId = `c${index + 1}`
      for (const entry of c.entries) {
        entries.push(entry.base === null ? entry : { ...entry, cluster: index })
      }
      if (c.mean) means.push(c.mean)
      clusters.push({
        id: clusterId,
        group: group.key,
        strategy,
        referenceId: c.referenceId,
        referenceKind: c.kind,
        referenceBytes: c.referenceBytes,
        members: deltas.map((e) => e.id),
      })
      reports.push({
        id: clusterId,
        group: group.key,
        referenceId: c.referenceId,
        referenceKind: c.kind,
        referenceBytes: c.referenceBytes,
        members: deltas.map((e): ClusterMember => {
          const candidate = set.candidates.get(e.id)!
          return {
            tensorId: e.id,
            names: [...candidate.names].sort(),
            commits: [...candidate.commits].sort(),
            similarity: e.similarity!,
            standaloneBytes: e.standaloneBytes,
            deltaBytes: e.bytes,
          }
        }),
      })
      for (const e of deltas) similaritySum += e.similarity!
      groupClusters++
      groupClustered += deltas.length
    }
    clustered += groupClustered
    planned += group.ids.length
    ctx.bytesOut += outcome.bytes
    ctx.emit('plan', planned, total)
    groupReports.push({
      group: group.key,
      dtype: group.dtype,
      shape: [...group.shape],
      tensors: group.ids.length,
      clusters: groupClusters,
      clustered: groupClustered,
      standalone: group.ids.length - groupClustered,
      strategyUsed: outcome.strategyUsed,
      rawBytes: sum(group.ids.map((id) => set.candidates.get(id)!.rawBytes)),
      predictedBytes: outcome.bytes,
    })
  }
  // Deltas in an entry list must follow their bases: order by depth.
  const ordered = orderEntries(entries)
  const currentStoredBytes = await repo.objects.totalBytes()
  // Standalone objects whose stored form does not change stay in their packs,
  // and stored bytes are measured with the packs' indexes: count those too.
  const staying = ordered.filter(
    (e) => e.base === null && !isDeltaCodec(set.candidates.get(e.id)?.header.codec),
  )
  const index = await repo.objects.packIndexBytes(staying.map((e) => e.id))
  const predictedStoredBytes =
    sum(ordered.map((e) => e.bytes)) + sum(means.map((m) => m.bytes)) + index.bytes
  const plan: StoragePlan = {
    strategy: options.strategy,
    threshold: options.threshold,
    maxDepth,
    batchSize: ctx.batchSize,
    entries: ordered,
    means,
    clusters,
    currentStoredBytes,
    predictedStoredBytes,
  }
  const report: PlanResult['report'] = {
    strategy: options.strategy,
    threshold: options.threshold,
    totalTensorVersions: set.tensorVersions,
    uniqueTensors: set.candidates.size,
    groups: set.groups.length,
    potentialClusters: clusters.length,
    clusteredTensors: clustered,
    standaloneTensors: set.candidates.size - clustered,
    rawBytes: set.rawBytes,
    currentStoredBytes,
    predictedStoredBytes,
    estimatedReduction: currentStoredBytes > 0 ? 1 - predictedStoredBytes / currentStoredBytes : 0,
    clusteringQuality: clustered > 0 ? similaritySum / clustered : 0,
    // Every object is encoded as the migration will store it; only pack
    // index sizes are estimated (offsets shrink when packs are rewritten,
    // by at most all but one digit each), which bounds the relative error.
    prediction: {
      method: 'full',
      sampledTensors: set.candidates.size,
      errorBound: predictedStoredBytes > 0 ? index.uncertainty / predictedStoredBytes : 0,
    },
    groupBreakdown: groupReports,
    clusters: reports,
    elapsedMs: 0,
  }
  return { report, plan, payloads: ctx.payloads, projection: () => projectionOf(ctx, plan) }
}

/** Orders entries so every base precedes the deltas that use it. */
export function orderEntries(entries: PlanEntry[]): PlanEntry[] {
  const byId = new Map(entries.map((e) => [e.id, e]))
  const depthOf = (e: PlanEntry): number => {
    let depth = 0
    for (let cur: PlanEntry | undefined = e; cur?.base; cur = byId.get(cur.base)) depth++
    return depth
  }
  return entries
    .map((e, i) => ({ e, i, d: depthOf(e) }))
    .sort((a, b) => a.d - b.d || a.i - b.i)
    .map(({ e }) => e)
}

function projectionOf(ctx: PlanContext, plan: StoragePlan): ClusterPlan['projection'] {
  const ids = [...ctx.sketches.keys()]
  if (ids.length === 0) {
    return { points: [], total: 0, cap: 2000 }
  }
  const projection = projectSketches(ids.map((id) => ctx.sketches.get(id)!))
  const clusterOf = new Map<string, string>()
  for (const c of plan.clusters) {
    for (const m of c.members) clusterOf.set(m, c.id)
    if (c.referenceKind === 'medoid') clusterOf.set(c.referenceId, c.id)
  }
  const points: ProjectionPoint[] = projection.points.map((p) => {
    const id = ids[p.index]!
    return {
      tensorId: id,
      name: [...ctx.set.candidates.get(id)!.names].sort()[0] ?? '',
      x: p.x,
      y: p.y,
      cluster: clusterOf.get(id) ?? null,
    }
  })
  return { points, total: projection.total, cap: projection.cap }
}

/**
 * `cluster analyze` and the plan of a dry run: the full plan, by encoding
 * every tensor as it would be stored. Writes nothing.
 */
export async function planMigration(
  repo: Repository,
  options: PlanOptions,
  run: RunOptions = {},
): Promise<ClusterPlan> {
  return fullReport(await buildStoragePlan(repo, options, run))
}

/**
 * The threshold curve: one plan per threshold, reusing sketches, partitions,
 * similarities and encoded sizes across thresholds (an edge is encoded once).
 */
export async function sweep(
  repo: Repository,
  strategy: Strategy,
  thresholds: number[],
  run: RunOptions = {},
): Promise<SweepPoint[]> {
  await ensureZstd()
  for (const threshold of thresholds) checkPlanOptions({ strategy, threshold })
  const set = await collectCandidates(repo, run.signal)
  const ctx = makeContext(repo, set, { strategy, threshold: 0 }, run)
  const out: SweepPoint[] = []
  for (const threshold of thresholds) {
    const { plan, report } = await planWithContext(ctx, { strategy, threshold })
    out.push({
      threshold,
      clusters: plan.clusters.length,
      clusteredTensors: report.clusteredTensors,
      predictedStoredBytes: plan.predictedStoredBytes,
      estimatedReduction: report.estimatedReduction,
    })
  }
  return out
}
