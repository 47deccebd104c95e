/**
 * App-wide state: the current screen, the banner and the connection.
 *
 * `reportError` is the one error handler every store action uses, so every
 * failure reaches the user as the same kind of banner.
 */
import { create } from 'zustand'
import { describeError, type ErrorDescription } from '../lib/describe-error'

/** The screens of the left-hand navigation (plus the tensor view). */
export type Screen =
  'welcome' | 'overview' | 'analysis' | 'tuning' | 'backups' | 'migrate' | 'status' | 'tensor'

/** What the banner shows: an error description or a plain notice. */
export type Banner =
  ErrorDescription | { code: 'Notice'; severity: 'info'; advice: string; detail: string }

interface AppState {
  screen: Screen
  /** Name of the tensor the tensor view shows. */
  tensorName: string | null
  /** The commit it is read from; null for HEAD. */
  tensorRef: string | null
  /** The screen the tensor view was opened from, where its back link goes. */
  tensorFrom: Screen
  banner: Banner | null
  connected: boolean
  /** Why the connection dropped, as the bridge reported it. */
  disconnectReason: string | null
  navigate(screen: Screen): void
  /** Shows tensor `name` as of commit `ref` (HEAD when omitted) in the tensor view. */
  openTensor(name: string, ref?: string): void
  dismissBanner(): void
  setConnection(connected: boolean, reason?: string): void
}

/** The app store: navigation, banner and connection state. */
export const useAppStore = create<AppState>()((set) => ({
  screen: 'welcome',
  tensorName: null,
  tensorRef: null,
  tensorFrom: 'overview',
  banner: null,
  connected: true,
  disconnectReason: null,
  navigate: (screen) => set({ screen }),
  openTensor: (name, ref) =>
    set((s) => ({
      screen: 'tensor',
      tensorName: name,
      tensorRef: ref ?? null,
      tensorFrom: s.screen === 'tensor' ? s.tensorFrom : s.screen,
    })),
  dismissBanner: () => set({ banner: null }),
  setConnection: (connected, reason) =>
    set({ connected, disconnectReason: connected ? null : (reason ?? null) }),
}))

/** Shows a failed request in the banner, mapped to advice by its `code`. */
export function reportError(error: unknown): void {
  // A request that failed because the core went away is a connection problem, not a bug.
  const described = describeError(error)
  const banner =
    !useAppStore.getState().connected && described.code !== 'Cancelled'
      ? describeError({ code: 'ConnectionLost', message: described.detail })
      : described
  useAppStore.setState({ banner })
}

/** Shows an informational notice in the banner. */
export function notify(advice: string, detail = ''): void {
  useAppStore.setState({ banner: { code: 'Notice', severity: 'info', advice, detail } })
}
