/**
 * The left-hand navigation.
 */
import { useAppStore, type Screen } from '../stores/app-store'
import { useRepoStore } from '../stores/repo-store'

const ITEMS: readonly { screen: Screen; label: string; needsRepo: boolean }[] = [
  { screen: 'welcome', label: 'Welcome', needsRepo: false },
  { screen: 'overview', label: 'Overview', needsRepo: true },
  { screen: 'analysis', label: 'Analysis', needsRepo: true },
  { screen: 'tuning', label: 'Threshold tuning', needsRepo: true },
  { screen: 'migrate', label: 'Migrate', needsRepo: true },
  { screen: 'backups', label: 'Backups', needsRepo: true },
  { screen: 'status', label: 'Status', needsRepo: true },
]

/** Navigation links; repository screens are disabled until one is open. */
export function Nav() {
  const screen = useAppStore((s) => s.screen)
  const tensorFrom = useAppStore((s) => s.tensorFrom)
  const navigate = useAppStore((s) => s.navigate)
  const hasRepo = useRepoStore((s) => s.summary !== null)
  const path = useRepoStore((s) => s.summary?.path ?? null)
  return (
    <nav className="nav" aria-label="Screens">
      <div className="nav-brand">Coral</div>
      <ul>
        {ITEMS.map((item) => {
          const current =
            screen === item.screen || (screen === 'tensor' && item.screen === tensorFrom)
          return (
            <li key={item.screen}>
              <a
                href={`#${item.screen}`}
                className={current ? 'nav-item nav-current' : 'nav-item'}
                aria-current={current ? 'page' : undefined}
                aria-disabled={item.needsRepo && !hasRepo ? true : undefined}
                onClick={(e) => {
                  e.preventDefault()
                  if (!item.needsRepo || hasRepo) {
                    navigate(item.screen)
                  }
                }}
              >
                {item.label}
              </a>
            </li>
          )
        })}
      </ul>
      {path !== null && (
        <p className="nav-repo" title={path}>
          {path}
        </p>
      )}
    </nav>
  )
}
