/**
 * The offer to import a Python-Coral repository, and the import report.
 */
import type { ImportReport } from '../../../core/api/contract'
import { Figures } from '../../components/figures'
import { JobProgress } from '../../components/job-progress'
import { formatCount, formatDuration } from '../../lib/format'
import { useAppStore } from '../../stores/app-store'
import { useJobsStore } from '../../stores/jobs-store'
import { useRepoStore } from '../../stores/repo-store'

/** Shown after `detectRepository` answers `python-coral`. */
export function ImportOffer() {
  const pending = useRepoStore((s) => s.pendingImport)
  const importPending = useRepoStore((s) => s.importPending)
  const navigate = useAppStore((s) => s.navigate)
  const importing = useJobsStore((s) => s.jobs.import?.running === true)
  if (pending === null) {
    return null
  }
  return (
    <section className="card">
      <h2>Python-Coral repository</h2>
      <p>
        <code>{pending.path}</code> was written by the Python <code>coral-ml</code>. Import it to
        convert it into a Coral repository; every tensor is checked against its recorded hash and
        the report says which are intact.
      </p>
      {pending.report === null ? (
        <button type="button" onClick={() => void importPending()} disabled={importing}>
          Import
        </button>
      ) : (
        <>
          <ImportReportView report={pending.report} />
          <button type="button" onClick={() => navigate('overview')}>
            Show imported repository
          </button>
        </>
      )}
      <JobProgress jobKey="import" />
    </section>
  )
}

/** The counts and per-tensor table of an import. */
export function ImportReportView({ report }: { report: ImportReport }) {
  return (
    <div>
      <Figures
        label="Import results"
        items={[
          {
            label: 'Verified',
            value: formatCount(report.verified),
            title: 'Read back and matched the recorded hash',
          },
          {
            label: 'Unverifiable',
            value: formatCount(report.unverifiable),
            title: 'No hash was recorded to check against',
          },
          {
            label: 'Mismatched',
            value: formatCount(report.mismatched),
            title: 'Read back but did not match the recorded hash',
          },
          {
            label: 'Unreadable',
            value: formatCount(report.unreadable),
            title: 'Could not be read at all',
          },
          { label: 'Commits', value: formatCount(report.commits) },
          { label: 'Format', value: report.dialect },
          { label: 'Time', value: formatDuration(report.elapsedMs) },
        ]}
      />
      <p className="muted">
        Imported into <code>{report.target}</code>
        {report.backupPath !== null && (
          <>
            ; backup kept at <code>{report.backupPath}</code>
          </>
        )}
        .
      </p>
      <div className="table-wrap">
        <table>
          <caption>Tensors read from {report.source}</caption>
          <thead>
            <tr>
              <th scope="col">Commit</th>
              <th scope="col">Tensor</th>
              <th scope="col">Status</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {report.tensors.map((t) => (
              <tr key={`${t.commit}/${t.name}`} className={`status-${t.status}`}>
                <td>
                  <code>{t.commit.slice(0, 12)}</code>
                </td>
                <td>{t.name}</td>
                <td>{t.status}</td>
                <td>{t.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}
