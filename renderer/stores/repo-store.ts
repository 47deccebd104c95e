/**
 * The open repository: its summary, history and tensor list.
 *
 * `epoch` increases whenever the repository's contents may have changed under
 * the other stores (another repository opened, a migration, a restore), so
 * they can drop results computed for the old contents.
 */
import { create } from 'zustand'
import type {
  CommitSummary,
  ImportReport,
  RepoSummary,
  TensorListing,
} from '../../core/api/contract'
import { getBridge } from '../lib/current-bridge'
import { notify, reportError, useAppStore } from './app-store'
import { runJob } from './jobs-store'
import { useRecentStore } from './recent-store'

/** Commits the Overview's recent log shows. */
export const LOG_LIMIT = 20

/** A folder written by the Python `coral-ml`, waiting for the user to import it. */
export interface PendingImport {
  path: string
  report: ImportReport | null
}

interface RepoState {
  summary: RepoSummary | null
  log: CommitSummary[]
  tensors: TensorListing[]
  pendingImport: PendingImport | null
  epoch: number
  /** Detects what is at `path` and opens it, or offers an import for a Python-Coral repository. */
  openPath(path: string): Promise<void>
  openDemo(): Promise<void>
  /** Imports the Python-Coral repository offered by `openPath`. */
  importPending(): Promise<void>
  /** Re-reads summary, log and tensors (after a migration or restore). */
  refresh(): Promise<void>
  /** Adopts a summary the core returned (restore returns one). */
  adoptSummary(summary: RepoSummary): void
  /**
   * Opens the current repository again in a core that restarted.
   *
   * A restarted core has no repository open; without this, every request
   * after a crash would fail with "No repository is open".
   */
  reopen(): Promise<void>
}

/** The repository store. */
export const useRepoStore = create<RepoState>()((set, get) => ({
  summary: null,
  log: [],
  tensors: [],
  pendingImport: null,
  epoch: 0,

  openPath: async (path) => {
    const trimmed = path.trim()
    if (trimmed === '') {
      return
    }
    try {
      set({ pendingImport: null })
      const { kind } = await runJob('open', 'Opening repository', 'detectRepository', {
        path: trimmed,
      })
      if (kind === 'python-coral') {
        set({ pendingImport: { path: trimmed, report: null } })
        return
      }
      if (kind === 'none') {
        reportError({
          code: 'NotARepository',
          message: `${trimmed} is not a Coral repository (no .coral folder).`,
        })
        return
      }
      const summary = await runJob('open', 'Opening repository', 'openRepository', {
        path: trimmed,
      })
      await opened(summary)
    } catch (error) {
      reportError(error)
    }
  },

  openDemo: async () => {
    try {
      set({ pendingImport: null })
      const summary = await runJob('open', 'Opening the demo repository', 'openDemoRepository', {})
      await opened(summary, { remember: false })
    } catch (error) {
      reportError(error)
    }
  },

  importPending: async () => {
    const pending = get().pendingImport
    if (pending === null) {
      return
    }
    try {
      const report = await runJob(
        'import',
        'Importing Python-Coral repository',
        'importPythonCoral',
        {
          path: pending.path,
        },
      )
      set({ pendingImport: { path: pending.path, report } })
      // The core opened the imported repository: show it (and remember it),
      // but stay here so the report can be read.
      const summary = await getBridge().request('summary', {}).result
      await opened(summary, { navigate: false })
    } catch (error) {
      reportError(error)
    }
  },

  refresh: async () => {
    try {
      const summary = await getBridge().request('summary', {}).result
      set((s) => ({ summary, epoch: s.epoch + 1 }))
      await loadDetails()
    } catch (error) {
      reportError(error)
    }
  },

  adoptSummary: (summary) => {
    set((s) => ({ summary, epoch: s.epoch + 1 }))
    void loadDetails()
  },

  reopen: async () => {
    const path = get().summary?.path
    if (path === undefined) {
      return
    }
    try {
      const summary = await getBridge().request('openRepository', { path }).result
      get().adoptSummary(summary)
      notify(
        'The Coral core stopped unexpectedly and was restarted; the repository is open again. Anything that was running stopped: run it again (an interrupted migration resumes).',
        path,
      )
    } catch (error) {
      reportError(error)
    }
  },
}))

/**
 * Shows a repository the core has just opened.
 *
 * `remember` adds it to the recent list (not the throw-away demo);
 * `navigate` goes to the Overview.
 */
async function opened(
  summary: RepoSummary,
  { remember = true, navigate = true }: { remember?: boolean; navigate?: boolean } = {},
): Promise<void> {
  useRepoStore.setState((s) => ({
    summary,
    log: [],
    tensors: [],
    pendingImport: navigate ? null : s.pendingImport,
    epoch: s.epoch + 1,
  }))
  if (remember) {
    useRecentStore.getState().remember(summary.path)
  }
  if (navigate) {
    useAppStore.getState().navigate('overview')
  }
  await loadDetails()
}

/** Loads the recent log and the HEAD tensor list (short requests, no progress). */
async function loadDetails(): Promise<void> {
  try {
    const bridge = getBridge()
    const [log, tensors] = await Promise.all([
      bridge.request('log', { limit: LOG_LIMIT }).result,
      bridge.request('listTensors', {}).result,
    ])
    useRepoStore.setState({ log, tensors })
  } catch (error) {
    reportError(error)
  }
}
