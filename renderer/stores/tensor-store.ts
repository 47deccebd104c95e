/**
 * The tensor the tensor view shows.
 */
import { create } from 'zustand'
import type { TensorDetail } from '../../core/api/contract'
import { isCancelled } from '../lib/describe-error'
import { reportError } from './app-store'
import { runJob } from './jobs-store'
import { useRepoStore } from './repo-store'

interface TensorState {
  detail: TensorDetail | null
  /** Reads tensor `name` as of commit `ref` (HEAD when null). */
  load(name: string, ref: string | null): Promise<void>
}

/** The tensor store. */
export const useTensorStore = create<TensorState>()((set) => ({
  detail: null,
  load: async (name, ref) => {
    set((s) => (s.detail?.name === name ? s : { detail: null }))
    try {
      const params = ref === null ? { name } : { name, ref }
      set({ detail: await runJob('tensor', `Reading ${name}`, 'tensorDetail', params) })
    } catch (error) {
      if (!isCancelled(error)) {
        reportError(error)
      }
    }
  },
}))

useRepoStore.subscribe((s, prev) => {
  if (s.epoch !== prev.epoch) {
    useTensorStore.setState({ detail: null })
  }
})
