/**
 * The migration form, run and report.
 *
 * Progress, samples and rates live in the jobs store under the `migrate` key;
 * this store keeps the options and the outcome.
 */
import { create } from 'zustand'
import type { MigrateOptions, MigrationReport } from '../../core/api/contract'
import { isCancelled } from '../lib/describe-error'
import { notify, reportError } from './app-store'
import { cancelJob, runJob } from './jobs-store'
import { useRepoStore } from './repo-store'
import { useTuningStore } from './tuning-store'

/** The form's fields: everything but `dryRun` (a dry run is the Threshold tuning preview). */
export type MigrateForm = Omit<MigrateOptions, 'dryRun'>

/** Where the last migration got to. */
export type MigrateOutcome = 'idle' | 'running' | 'done' | 'cancelled' | 'failed'

interface MigrateState {
  form: MigrateForm
  /** True once the user edited strategy or threshold here (then tuning no longer overrides them). */
  edited: boolean
  outcome: MigrateOutcome
  report: MigrationReport | null
  update(patch: Partial<MigrateForm>): void
  /** Copies strategy and threshold from Threshold tuning unless the user edited them here. */
  syncFromTuning(): void
  start(): Promise<void>
  cancel(): void
}

function defaultForm(): MigrateForm {
  const { strategy, threshold } = useTuningStore.getState()
  // No batchSize: the core sizes the batch from the repository's largest tensor.
  return { strategy, threshold, backup: true, force: false }
}

/** The migrate store. */
export const useMigrateStore = create<MigrateState>()((set, get) => ({
  form: defaultForm(),
  edited: false,
  outcome: 'idle',
  report: null,

  update: (patch) =>
    set((s) => ({
      form: { ...s.form, ...patch },
      edited: s.edited || 'strategy' in patch || 'threshold' in patch,
    })),

  syncFromTuning: () => {
    if (!get().edited) {
      const { strategy, threshold } = useTuningStore.getState()
      set((s) => ({ form: { ...s.form, strategy, threshold } }))
    }
  },

  start: async () => {
    set({ outcome: 'running', report: null })
    try {
      const report = await runJob('migrate', 'Migrating', 'migrate', {
        ...get().form,
        dryRun: false,
      })
      set({ outcome: 'done', report })
      await useRepoStore.getState().refresh()
    } catch (error) {
      if (isCancelled(error)) {
        set({ outcome: 'cancelled' })
        notify(
          'Migration cancelled. The repository is consistent; run Migrate again to resume where it stopped.',
        )
      } else {
        set({ outcome: 'failed' })
        reportError(error)
      }
    }
  },

  cancel: () => cancelJob('migrate'),
}))

// A different repository gets a fresh form (the report belongs to the old one).
useRepoStore.subscribe((s, prev) => {
  if (s.summary?.path !== prev.summary?.path) {
    useMigrateStore.setState({ form: defaultForm(), edited: false, outcome: 'idle', report: null })
  }
})
