/**
 * `coral-ml cluster analyze | migrate | status | validate | optimize`.
 *
 * Field names follow the Python coral-ml guide; every figure is defined in
 * docs/CLUSTERING.md. `--json` prints the contract report as one document.
 */
import { STRATEGIES, type ClusterPlan, type Strategy } from '../../api/contract.js'
import { CoralError } from '../../errors.js'
import { recoverInterruptedRestore } from '../../migrate/backup.js'
import { dryRun, migrate } from '../../migrate/migrate.js'
import { optimize } from '../../migrate/optimize.js'
import { DEFAULT_THRESHOLD, planMigration } from '../../migrate/planner.js'
import { clusteringStatus } from '../../migrate/status.js'
import { validateRepository } from '../../migrate/validate.js'
import type { CliContext, CommandArgs, CommandSpec } from '../command.js'
import { formatBytes, formatDuration, formatFields, formatPercent, formatTable } from '../format.js'
import { openRepository } from '../open-repo.js'

const SUBCOMMANDS = ['analyze', 'migrate', 'status', 'validate', 'optimize'] as const

function strategyOf(value: unknown): Strategy {
  const strategy = (value ?? 'adaptive') as Strategy
  if (!STRATEGIES.includes(strategy)) {
    throw new CoralError(
      'InvalidArgument',
      `--strategy must be one of ${STRATEGIES.join(', ')}, got "${String(value)}"`,
    )
  }
  return strategy
}

function thresholdOf(value: unknown): number {
  if (value === undefined) return DEFAULT_THRESHOLD
  const t = Number(value)
  if (typeof value !== 'string' || value.trim() === '' || !(t >= 0 && t <= 1)) {
    throw new CoralError(
      'InvalidArgument',
      `--threshold must be a number from 0 to 1, got "${String(value)}"`,
    )
  }
  return t
}

/** `--batch-size`, or undefined for the planner's default (`defaultBatchSize`). */
function batchSizeOf(value: unknown): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (typeof value !== 'string' || !Number.isSafeInteger(n) || n < 1) {
    throw new CoralError(
      'InvalidArgument',
      `--batch-size must be a positive integer, got "${String(value)}"`,
    )
  }
  return n
}

function printPlan(ctx: CliContext, plan: ClusterPlan): void {
  ctx.out(
    formatFields([
      ['Total tensor versions', plan.totalTensorVersions],
      ['Unique weights', plan.uniqueTensors],
      ['Groups (dtype, shape)', plan.groups],
      ['Potential clusters', plan.potentialClusters],
      ['Clustered weights', `${plan.clusteredTensors} (${plan.standaloneTensors} standalone)`],
      ['Current store', formatBytes(plan.currentStoredBytes)],
      ['Predicted store', formatBytes(plan.predictedStoredBytes)],
      ['Estimated reduction', formatPercent(plan.estimatedReduction)],
      ['Clustering quality', plan.clusteringQuality.toFixed(4)],
      [
        'Prediction',
        plan.prediction.method === 'full'
          ? 'every tensor encoded'
          : `${plan.prediction.sampledTensors} tensors sampled, ±${formatBytes(plan.prediction.errorBound)}`,
      ],
    ]),
  )
  ctx.out('')
  ctx.out(
    formatTable(
      ['Group', 'Tensors', 'Clusters', 'Clustered', 'Strategy', 'Raw', 'Predicted'],
      plan.groupBreakdown.map((g) => [
        g.group,
        g.tensors,
        g.clusters,
        g.clustered,
        g.strategyUsed,
        formatBytes(g.rawBytes),
        formatBytes(g.predictedBytes),
      ]),
    ),
  )
}

async function analyze(ctx: CliContext, { values }: CommandArgs): Promise<void> {
  const repo = await openRepository(ctx.repoPath)
  const progress = ctx.progress('analyze')
  const plan = await planMigration(
    repo,
    {
      strategy: strategyOf(values.strategy),
      threshold: thresholdOf(values.threshold),
      batchSize: batchSizeOf(values['batch-size']),
    },
    { signal: ctx.signal, onProgress: progress },
  )
  progress.finish()
  if (ctx.json) return ctx.printJson(plan)
  ctx.out(`Cluster analysis (${plan.strategy}, threshold ${plan.threshold}):`)
  printPlan(ctx, plan)
}

async function runMigrate(ctx: CliContext, { values }: CommandArgs): Promise<number> {
  const repo = await openRepository(ctx.repoPath)
  const options = {
    strategy: strategyOf(values.strategy),
    threshold: thresholdOf(values.threshold),
    batchSize: batchSizeOf(values['batch-size']),
    backup: values.backup === true,
    dryRun: values['dry-run'] === true,
    force: values.force === true,
  }
  const progress = ctx.progress('migrate')
  if (options.dryRun) {
    const plan = await dryRun(repo, options, { signal: ctx.signal, onProgress: progress })
    progress.finish()
    if (ctx.json) {
      ctx.printJson(plan)
      return 0
    }
    ctx.out(`Dry run (${plan.strategy}, threshold ${plan.threshold}); nothing was changed:`)
    printPlan(ctx, plan)
    ctx.out('')
    for (const c of plan.clusters.slice(0, 20)) {
      ctx.out(
        `  ${c.id} ${c.group}: ${c.referenceKind} ${c.referenceId.slice(0, 12)} + ${c.members.length} members`,
      )
    }
    if (plan.clusters.length > 20)
      ctx.out(`  ... and ${plan.clusters.length - 20} more clusters (--json lists all)`)
    ctx.out(`A --backup would need ${formatBytes(plan.backupBytes)}`)
    return 0
  }
  const report = await migrate(repo, options, { signal: ctx.signal, onProgress: progress })
  progress.finish()
  if (ctx.json) {
    ctx.printJson(report)
    return report.validation.ok ? 0 : 11
  }
  if (report.backupPath) ctx.out(`Backup created at ${report.backupPath}`)
  if (report.resumed) ctx.out('Resumed an interrupted migration.')
  ctx.out('Migration complete:')
  ctx.out(
    formatFields([
      ['Weights processed', report.tensorsProcessed],
      ['Clusters created', report.clustersCreated],
      ['Clustered weights', `${report.clusteredTensors} (${report.standaloneTensors} standalone)`],
      ['Store before', formatBytes(report.storedBytesBefore)],
      [
        'Store after',
        `${formatBytes(report.storedBytesAfter)} (predicted ${formatBytes(report.predictedStoredBytes)})`,
      ],
      ['Space saved', formatBytes(report.bytesSaved)],
      ['Reduction', formatPercent(report.reduction)],
      ['Time elapsed', formatDuration(report.elapsedMs)],
    ]),
  )
  ctx.out('Validating migration...')
  if (report.validation.ok) {
    ctx.out(
      `✓ Migration validation passed (${report.validation.tensorsChecked} tensors in ${report.validation.commitsChecked} commits read back exactly)`,
    )
    return 0
  }
  for (const p of report.validation.problems.filter((p) => !p.fixed))
    ctx.err(`  ${p.kind}: ${p.message}`)
  ctx.err('✗ Migration validation failed; run "coral-ml cluster validate --fix"')
  return 11
}

async function status(ctx: CliContext): Promise<void> {
  const repo = await openRepository(ctx.repoPath)
  const report = await clusteringStatus(repo)
  if (ctx.json) return ctx.printJson(report)
  if (!report.migrated) {
    ctx.out('Not migrated: every tensor is stored on its own (run "coral-ml cluster analyze").')
  }
  ctx.out(
    formatFields([
      ['Strategy', report.strategy ?? (report.migrated ? 'unknown' : '-')],
      ['Threshold', report.threshold ?? '-'],
      ['Clusters', report.clusters],
      ['Clustered tensors', report.clusteredTensors],
      ['Standalone tensors', report.standaloneTensors],
      ['Stored bytes', formatBytes(report.storedBytes)],
      ['Standalone bytes', formatBytes(report.standaloneBytes)],
      ['Bytes saved', formatBytes(report.bytesSaved)],
      ['Reduction', formatPercent(report.reduction)],
      ['Last migration', report.lastMigration ?? 'never'],
    ]),
  )
}

async function validate(ctx: CliContext, { values }: CommandArgs): Promise<number> {
  const fix = values.fix === true
  if (fix) await recoverInterruptedRestore(ctx.repoPath)
  const repo = await openRepository(ctx.repoPath)
  const progress = ctx.progress('validate')
  const report = await validateRepository(
    repo,
    { fix },
    { signal: ctx.signal, onProgress: progress },
  )
  progress.finish()
  if (ctx.json) {
    ctx.printJson(report)
    return report.ok ? 0 : 11
  }
  ctx.out(
    `Checked ${report.tensorsChecked} tensors in ${report.commitsChecked} commits (${formatDuration(report.elapsedMs)})`,
  )
  for (const p of report.problems)
    ctx.out(`  ${p.fixed ? 'fixed' : 'found'}  ${p.kind}: ${p.message}`)
  const pending = report.pendingMigration
  if (pending)
    ctx.out(
      `  note   a migration started ${pending.startedAt} is paused in phase ${pending.phase} (${pending.done}/${pending.total} tensors encoded); every tensor reads back in its current form; run "coral-ml cluster migrate" to resume it`,
    )
  if (report.ok) {
    ctx.out(
      report.problems.length === 0
        ? '✓ Repository is valid'
        : `✓ Repository is valid (${report.fixed} fixed, ${report.unfixed} notes)`,
    )
    return 0
  }
  ctx.err(
    `✗ ${report.unfixed} problems remain${fix ? ' that could not be repaired' : '; run with --fix to repair'}`,
  )
  return 11
}

async function runOptimize(ctx: CliContext): Promise<void> {
  const repo = await openRepository(ctx.repoPath)
  const progress = ctx.progress('optimize')
  const report = await optimize(repo, { signal: ctx.signal, onProgress: progress })
  progress.finish()
  if (ctx.json) return ctx.printJson(report)
  ctx.out(
    formatFields([
      ['Re-encoded', report.reencoded],
      ['Removed objects', report.removedObjects],
      ['Store before', formatBytes(report.bytesBefore)],
      ['Store after', formatBytes(report.bytesAfter)],
      ['Time elapsed', formatDuration(report.elapsedMs)],
    ]),
  )
}

export const clusterCommand: CommandSpec = {
  name: 'cluster',
  summary: 'Analyze, migrate to clustered storage, show status, validate, optimize',
  usage: [
    'coral-ml cluster analyze [--threshold T] [--strategy S]',
    'coral-ml cluster migrate [--strategy adaptive|kmeans|hierarchical|dbscan] [--threshold T] [--backup] [--dry-run] [--batch-size N] [--force]',
    'coral-ml cluster status',
    'coral-ml cluster validate [--fix]',
    'coral-ml cluster optimize',
  ].join('\n'),
  options: {
    strategy: { type: 'string' },
    threshold: { type: 'string' },
    'batch-size': { type: 'string' },
    backup: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    force: { type: 'boolean' },
    fix: { type: 'boolean' },
  },
  async run(ctx, args) {
    const sub = args.positionals[0]
    switch (sub as (typeof SUBCOMMANDS)[number] | undefined) {
      case 'analyze':
        return analyze(ctx, args)
      case 'migrate':
        return runMigrate(ctx, args)
      case 'status':
        return status(ctx)
      case 'validate':
        return validate(ctx, args)
      case 'optimize':
        return runOptimize(ctx)
      default:
        throw new CoralError(
          'InvalidArgument',
          `Unknown cluster command "${sub ?? ''}"; use one of ${SUBCOMMANDS.join(', ')}`,
        )
    }
  },
}
