/**
 * The app shell: navigation, banners and the current screen.
 */
import type { ReactElement } from 'react'
import { ConnectionBanner, MessageBanner } from './components/banners'
import { ErrorBoundary } from './components/error-boundary'
import { Nav } from './components/nav'
import { AnalysisScreen } from './features/analysis/analysis-screen'
import { BackupsScreen } from './features/backups/backups-screen'
import { MigrateScreen } from './features/migrate/migrate-screen'
import { NoRepository, OverviewScreen } from './features/overview/overview-screen'
import { StatusScreen } from './features/status/status-screen'
import { TensorScreen } from './features/tensor/tensor-screen'
import { TuningScreen } from './features/tuning/tuning-screen'
import { WelcomeScreen } from './features/welcome/welcome-screen'
import { useAppStore, type Screen } from './stores/app-store'
import { useRepoStore } from './stores/repo-store'

const SCREENS: Record<Screen, () => ReactElement> = {
  welcome: WelcomeScreen,
  overview: OverviewScreen,
  analysis: AnalysisScreen,
  tuning: TuningScreen,
  backups: BackupsScreen,
  migrate: MigrateScreen,
  status: StatusScreen,
  tensor: TensorScreen,
}

/** The whole renderer UI. */
export function App() {
  return (
    <ErrorBoundary>
      <div className="shell">
        <Nav />
        <main className="main">
          <ConnectionBanner />
          <MessageBanner />
          {/* A screen that throws is caught here, so the nav and banners stay usable. */}
          <ScreenBoundary />
        </main>
      </div>
    </ErrorBoundary>
  )
}

function ScreenBoundary() {
  const screen = useAppStore((s) => s.screen)
  const hasRepo = useRepoStore((s) => s.summary !== null)
  const Current = screen !== 'welcome' && !hasRepo ? NoRepository : SCREENS[screen]
  return (
    <ErrorBoundary key={screen}>
      <Current />
    </ErrorBoundary>
  )
}
