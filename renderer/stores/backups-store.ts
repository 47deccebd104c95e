/**
 * The repository's backups: list, create, restore, delete.
 */
import { create } from 'zustand'
import type { BackupInfo } from '../../core/api/contract'
import { getBridge } from '../lib/current-bridge'
import { isCancelled } from '../lib/describe-error'
import { notify, reportError } from './app-store'
import { runJob } from './jobs-store'
import { useRepoStore } from './repo-store'

interface BackupsState {
  backups: BackupInfo[] | null
  load(): Promise<void>
  create(): Promise<void>
  restore(id: string): Promise<void>
  remove(id: string): Promise<void>
}

/** The backups store. */
export const useBackupsStore = create<BackupsState>()((set) => ({
  backups: null,

  load: async () => {
    try {
      set({ backups: newestFirst(await getBridge().request('listBackups', {}).result) })
    } catch (error) {
      reportError(error)
    }
  },

  create: async () => {
    try {
      const created = await runJob('backup', 'Creating backup', 'createBackup', {})
      set((s) => ({
        backups: newestFirst([created, ...(s.backups ?? []).filter((b) => b.id !== created.id)]),
      }))
      notify(`Backup ${created.id} created.`)
    } catch (error) {
      handle(error, 'Backup cancelled. No backup was kept.')
    }
  },

  restore: async (id) => {
    try {
      const summary = await runJob('backup', 'Restoring backup', 'restoreBackup', { id })
      useRepoStore.getState().adoptSummary(summary)
      notify(`Restored backup ${id}.`)
      set({ backups: newestFirst(await getBridge().request('listBackups', {}).result) })
    } catch (error) {
      handle(error, 'Restore cancelled. The repository was left as it was before the restore.')
    }
  },

  remove: async (id) => {
    try {
      set({ backups: newestFirst(await getBridge().request('deleteBackup', { id }).result) })
    } catch (error) {
      reportError(error)
    }
  },
}))

/** The core lists backups oldest first; the screen shows the newest on top. */
function newestFirst(backups: BackupInfo[]): BackupInfo[] {
  return [...backups].sort((a, b) => b.createdAt.localeCompare(a.createdAt))
}

function handle(error: unknown, cancelledNotice: string): void {
  if (isCancelled(error)) {
    notify(cancelledNotice)
  } else {
    reportError(error)
  }
}

useRepoStore.subscribe((s, prev) => {
  if (s.summary?.path !== prev.summary?.path) {
    useBackupsStore.setState({ backups: null })
  }
})
