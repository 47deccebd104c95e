/**
 * Clustering status, validation and optimisation.
 */
import { create } from 'zustand'
import type { OptimizeReport, StatusReport, ValidationReport } from '../../core/api/contract'
import { getBridge } from '../lib/current-bridge'
import { isCancelled } from '../lib/describe-error'
import { notify, reportError } from './app-store'
import { runJob } from './jobs-store'
import { useRepoStore } from './repo-store'

interface StatusState {
  status: StatusReport | null
  validation: ValidationReport | null
  optimize: OptimizeReport | null
  loadStatus(): Promise<void>
  /**
   * Checks every commit and tensor; with `fix`, also repairs what it can.
   *
   * The screen runs it without `fix` first and offers "Fix problems" when
   * the report has problems left unfixed.
   */
  validate(fix?: boolean): Promise<void>
  runOptimize(): Promise<void>
}

/** The status store. */
export const useStatusStore = create<StatusState>()((set, get) => ({
  status: null,
  validation: null,
  optimize: null,

  loadStatus: async () => {
    try {
      set({ status: await getBridge().request('status', {}).result })
    } catch (error) {
      reportError(error)
    }
  },

  validate: async (fix = false) => {
    try {
      const validation = await runJob(
        'validate',
        fix ? 'Validating and fixing' : 'Validating',
        'validate',
        { fix },
      )
      set({ validation })
      if (fix && validation.fixed > 0) {
        await useRepoStore.getState().refresh()
        await get().loadStatus()
      }
    } catch (error) {
      if (isCancelled(error)) {
        notify('Validation cancelled.')
      } else {
        reportError(error)
      }
    }
  },

  runOptimize: async () => {
    try {
      const optimize = await runJob('optimize', 'Optimising storage', 'optimize', {})
      set({ optimize })
      await useRepoStore.getState().refresh()
      await get().loadStatus()
    } catch (error) {
      if (isCancelled(error)) {
        notify('Optimisation cancelled. The repository is consistent.')
      } else {
        reportError(error)
      }
    }
  },
}))

useRepoStore.subscribe((s, prev) => {
  if (s.summary?.path !== prev.summary?.path) {
    useStatusStore.setState({ status: null, validation: null, optimize: null })
  }
})
