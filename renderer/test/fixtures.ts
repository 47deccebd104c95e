/**
 * Builders of core results for tests; override any field.
 */
import type {
  BackupInfo,
  DryRunReport,
  MigrationReport,
  RepoSummary,
  ValidationReport,
} from '../../core/api/contract'

/** A repository summary. */
export function makeSummary(overrides: Partial<RepoSummary> = {}): RepoSummary {
  return {
    path: '/repos/demo',
    head: { branch: 'main', commit: 'c'.repeat(64) },
    commits: 3,
    branches: ['main'],
    tags: [],
    tensorVersions: 12,
    uniqueTensors: 10,
    rawBytes: 4_000_000,
    storedBytes: 3_700_000,
    staged: 0,
    clustering: {
      migrated: false,
      strategy: null,
      threshold: null,
      clusters: 0,
      clusteredTensors: 0,
      standaloneTensors: 10,
      lastMigration: null,
    },
    ...overrides,
  }
}

/** A dry-run report (also usable as a ClusterPlan). */
export function makeDryRun(overrides: Partial<DryRunReport> = {}): DryRunReport {
  return {
    strategy: 'adaptive',
    threshold: 0.98,
    totalTensorVersions: 12,
    uniqueTensors: 10,
    groups: 2,
    potentialClusters: 1,
    clusteredTensors: 2,
    standaloneTensors: 8,
    rawBytes: 4_000_000,
    currentStoredBytes: 3_700_000,
    predictedStoredBytes: 2_500_000,
    estimatedReduction: 1 - 2_500_000 / 3_700_000,
    clusteringQuality: 0.991,
    prediction: { method: 'full', sampledTensors: 10, errorBound: 0 },
    groupBreakdown: [
      {
        group: 'F32[128, 64]',
        dtype: 'F32',
        shape: [128, 64],
        tensors: 3,
        clusters: 1,
        clustered: 2,
        standalone: 1,
        strategyUsed: 'kmeans',
        rawBytes: 98_304,
        predictedBytes: 40_000,
      },
    ],
    clusters: [
      {
        id: 'cluster-1',
        group: 'F32[128, 64]',
        referenceId: 'r'.repeat(64),
        referenceKind: 'medoid',
        referenceBytes: 30_000,
        members: [
          {
            tensorId: 'a'.repeat(64),
            names: ['layer1.weight'],
            commits: ['c'.repeat(64)],
            similarity: 0.9964,
            standaloneBytes: 30_100,
            deltaBytes: 5_000,
          },
          {
            tensorId: 'b'.repeat(64),
            names: ['layer1.weight'],
            commits: ['d'.repeat(64)],
            similarity: 0.9931,
            standaloneBytes: 30_050,
            deltaBytes: 6_000,
          },
        ],
      },
    ],
    projection: {
      points: [
        { tensorId: 'a'.repeat(64), name: 'layer1.weight', x: 0.1, y: 0.2, cluster: 'cluster-1' },
        { tensorId: 'e'.repeat(64), name: 'layer2.bias', x: -0.3, y: 0.5, cluster: null },
      ],
      total: 10,
      cap: 2,
    },
    elapsedMs: 1234,
    backupBytes: 3_700_000,
    ...overrides,
  }
}

/** A validation report; `ok` false adds one unfixed problem. */
export function makeValidation(ok: boolean): ValidationReport {
  return {
    ok,
    commitsChecked: 3,
    tensorsChecked: 10,
    problems: ok
      ? []
      : [
          {
            kind: 'corrupt-object',
            message: 'object aaaa does not hash to its id',
            tensorId: 'a'.repeat(64),
            fixed: false,
          },
        ],
    fixed: 0,
    unfixed: ok ? 0 : 1,
    elapsedMs: 300,
    pendingMigration: null,
  }
}

/** A migration report. */
export function makeMigrationReport(validationOk: boolean): MigrationReport {
  return {
    strategy: 'adaptive',
    threshold: 0.98,
    tensorsProcessed: 10,
    clustersCreated: 1,
    clusteredTensors: 2,
    standaloneTensors: 8,
    storedBytesBefore: 3_700_000,
    storedBytesAfter: 2_510_000,
    predictedStoredBytes: 2_500_000,
    bytesSaved: 1_190_000,
    reduction: 1_190_000 / 3_700_000,
    elapsedMs: 4_000,
    backupPath: '/repos/demo/.coral_backup_20261203_201500',
    resumed: false,
    validation: makeValidation(validationOk),
  }
}

/** A backup. */
export function makeBackup(overrides: Partial<BackupInfo> = {}): BackupInfo {
  return {
    id: '.coral_backup_20261203_201500',
    path: '/repos/demo/.coral_backup_20261203_201500',
    createdAt: '2026-12-03T20:15:00.000Z',
    bytes: 3_700_000,
    commits: 2,
    clustered: true,
    ...overrides,
  }
}
