/**
 * Puts every store back to its initial state between tests.
 */
import { setBridge } from '../lib/current-bridge'
import { useAnalysisStore } from '../stores/analysis-store'
import { useAppStore } from '../stores/app-store'
import { useBackupsStore } from '../stores/backups-store'
import { resetJobs, setFrameScheduler } from '../stores/jobs-store'
import { useMigrateStore } from '../stores/migrate-store'
import { useRecentStore } from '../stores/recent-store'
import { useRepoStore } from '../stores/repo-store'
import { useStatusStore } from '../stores/status-store'
import { useTensorStore } from '../stores/tensor-store'
import { cancelPendingPreview, useTuningStore } from '../stores/tuning-store'

/** Resets stores, jobs, timers owned by stores, localStorage and the installed bridge. */
export function resetStores(): void {
  cancelPendingPreview()
  resetJobs()
  setFrameScheduler(null)
  for (const store of [
    useAppStore,
    useRepoStore,
    useAnalysisStore,
    useTuningStore,
    useMigrateStore,
    useBackupsStore,
    useStatusStore,
    useTensorStore,
    useRecentStore,
  ] as const) {
    ;(store as { setState(s: unknown, replace: true): void }).setState(
      store.getInitialState(),
      true,
    )
  }
  localStorage.clear()
  setBridge(null)
}
