/**
 * Recently opened repositories, persisted in localStorage.
 *
 * Versioned with zustand's `persist`: version 0 stored a bare list of paths,
 * version 1 stores `{ path, openedAt }` entries.
 */
import { create } from 'zustand'
import { createJSONStorage, persist } from 'zustand/middleware'

/** Most recent repositories kept. */
export const RECENT_LIMIT = 10

/** One recently opened repository. */
export interface RecentRepository {
  path: string
  /** ISO 8601 time it was last opened. */
  openedAt: string
}

interface RecentState {
  recent: RecentRepository[]
  remember(path: string): void
  forget(path: string): void
}

/** The persisted list of recent repositories, newest first. */
export const useRecentStore = create<RecentState>()(
  persist(
    (set) => ({
      recent: [],
      remember: (path) =>
        set((s) => ({
          recent: [
            { path, openedAt: new Date().toISOString() },
            ...s.recent.filter((r) => r.path !== path),
          ].slice(0, RECENT_LIMIT),
        })),
      forget: (path) => set((s) => ({ recent: s.recent.filter((r) => r.path !== path) })),
    }),
    {
      name: 'coral.recent-repositories',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({ recent: s.recent }),
      migrate: (persisted, version) => {
        if (version === 0 && Array.isArray(persisted)) {
          const paths = persisted.filter((p): p is string => typeof p === 'string')
          return { recent: paths.map((path) => ({ path, openedAt: '' })) }
        }
        const recent = (persisted as { recent?: unknown } | null)?.recent
        return { recent: Array.isArray(recent) ? (recent as RecentRepository[]) : [] }
      },
    },
  ),
)
