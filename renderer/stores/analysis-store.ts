/**
 * The clustering analysis (`analyze`) and the cluster the inspector shows.
 */
import { create } from 'zustand'
import type { ClusterPlan } from '../../core/api/contract'
import { isCancelled } from '../lib/describe-error'
import { notify, reportError } from './app-store'
import { runJob } from './jobs-store'
import { useRepoStore } from './repo-store'
import { useTuningStore } from './tuning-store'

interface AnalysisState {
  plan: ClusterPlan | null
  selectedClusterId: string | null
  /** Runs `analyze` with the strategy and threshold from the tuning store. */
  analyze(): Promise<void>
  selectCluster(id: string | null): void
}

/** The analysis store. */
export const useAnalysisStore = create<AnalysisState>()((set) => ({
  plan: null,
  selectedClusterId: null,

  analyze: async () => {
    const { strategy, threshold } = useTuningStore.getState()
    try {
      const plan = await runJob('analyze', 'Analysing clusters', 'analyze', { strategy, threshold })
      set({ plan, selectedClusterId: null })
    } catch (error) {
      if (isCancelled(error)) {
        notify('Analysis cancelled. Nothing was changed.')
      } else {
        reportError(error)
      }
    }
  },

  selectCluster: (id) => set({ selectedClusterId: id }),
}))

useRepoStore.subscribe((s, prev) => {
  if (s.epoch !== prev.epoch) {
    useAnalysisStore.setState({ plan: null, selectedClusterId: null })
  }
})
