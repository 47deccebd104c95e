/**
 * Welcome: open a repository (folder dialog or path field), recent ones, the demo.
 */
import { useState } from 'react'
import { getBridge } from '../../lib/current-bridge'
import { formatTime } from '../../lib/format'
import { JobProgress } from '../../components/job-progress'
import { reportError } from '../../stores/app-store'
import { useJobsStore } from '../../stores/jobs-store'
import { useRecentStore } from '../../stores/recent-store'
import { useRepoStore } from '../../stores/repo-store'
import { ImportOffer } from './import-offer'

/** The first screen. */
export function WelcomeScreen() {
  const openPath = useRepoStore((s) => s.openPath)
  const openDemo = useRepoStore((s) => s.openDemo)
  const busy = useJobsStore((s) => s.jobs.open?.running === true || s.jobs.import?.running === true)
  const isElectron = getBridge().host.kind === 'electron'

  const pick = async () => {
    try {
      const path = await getBridge().host.pickDirectory()
      if (path !== null) {
        await openPath(path)
      }
    } catch (error) {
      reportError(error)
    }
  }

  return (
    <div className="screen">
      <h1>Coral</h1>
      <p className="muted">Version control for neural-network weights.</p>
      {isElectron ? (
        <div className="row">
          <button type="button" onClick={() => void pick()} disabled={busy}>
            Open repository
          </button>
          <button
            type="button"
            className="button-secondary"
            onClick={() => void openDemo()}
            disabled={busy}
          >
            Open demo repository
          </button>
        </div>
      ) : (
        <PathForm
          onOpen={(path) => void openPath(path)}
          onDemo={() => void openDemo()}
          busy={busy}
        />
      )}
      <JobProgress jobKey="open" />
      <ImportOffer />
      <RecentList onOpen={(path) => void openPath(path)} busy={busy} />
    </div>
  )
}

function PathForm({
  onOpen,
  onDemo,
  busy,
}: {
  onOpen(path: string): void
  onDemo(): void
  busy: boolean
}) {
  const [path, setPath] = useState('')
  return (
    <form
      className="row"
      onSubmit={(e) => {
        e.preventDefault()
        onOpen(path)
      }}
    >
      <label className="field grow">
        <span>Repository path</span>
        <input
          type="text"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="/path/to/repository"
          spellCheck={false}
        />
      </label>
      <button type="submit" disabled={busy || path.trim() === ''}>
        Open repository
      </button>
      <button type="button" className="button-secondary" onClick={onDemo} disabled={busy}>
        Open demo repository
      </button>
    </form>
  )
}

function RecentList({ onOpen, busy }: { onOpen(path: string): void; busy: boolean }) {
  const recent = useRecentStore((s) => s.recent)
  const forget = useRecentStore((s) => s.forget)
  if (recent.length === 0) {
    return null
  }
  return (
    <section>
      <h2>Recent repositories</h2>
      <ul className="recent">
        {recent.map((r) => (
          <li key={r.path}>
            <button type="button" className="link" onClick={() => onOpen(r.path)} disabled={busy}>
              {r.path}
            </button>
            {r.openedAt !== '' && <span className="muted">{formatTime(r.openedAt)}</span>}
            <button
              type="button"
              className="button-small button-secondary"
              aria-label={`Forget ${r.path}`}
              onClick={() => forget(r.path)}
            >
              Forget
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}
