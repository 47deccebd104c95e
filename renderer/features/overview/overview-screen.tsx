/**
 * Overview: repository figures, the recent log and the tensor list.
 */
import type { RepoSummary } from '../../../core/api/contract'
import { Figures } from '../../components/figures'
import {
  formatBytes,
  formatCount,
  formatPercent,
  formatShape,
  formatThreshold,
  formatTime,
  shortId,
} from '../../lib/format'
import { useAppStore } from '../../stores/app-store'
import { useRepoStore } from '../../stores/repo-store'

/** The Overview screen. */
export function OverviewScreen() {
  const summary = useRepoStore((s) => s.summary)
  if (summary === null) {
    return <NoRepository />
  }
  return (
    <div className="screen">
      <h1>Overview</h1>
      <p className="muted">
        <code>{summary.path}</code> · {summary.head.branch ?? 'detached HEAD'}
        {summary.head.commit !== null && (
          <>
            {' '}
            at <code>{shortId(summary.head.commit)}</code>
          </>
        )}
      </p>
      <SummaryFigures summary={summary} />
      <RecentLog />
      <TensorList />
    </div>
  )
}

/** Shown on repository screens before a repository is open. */
export function NoRepository() {
  const navigate = useAppStore((s) => s.navigate)
  return (
    <div className="screen">
      <p>No repository is open.</p>
      <button type="button" onClick={() => navigate('welcome')}>
        Go to Welcome
      </button>
    </div>
  )
}

function SummaryFigures({ summary }: { summary: RepoSummary }) {
  const c = summary.clustering
  const clustering = c.migrated
    ? `Clustered (${c.strategy ?? 'unknown strategy'}${c.threshold === null ? '' : `, threshold ${formatThreshold(c.threshold)}`})`
    : 'Not clustered'
  const ratio = summary.rawBytes > 0 ? summary.storedBytes / summary.rawBytes : Number.NaN
  return (
    <Figures
      label="Repository figures"
      items={[
        { label: 'Commits', value: formatCount(summary.commits) },
        {
          label: 'Branches',
          value: formatCount(summary.branches.length),
          title: summary.branches.join(', '),
        },
        {
          label: 'Tensor versions',
          value: formatCount(summary.tensorVersions),
          title: 'Distinct (name, tensor id) pairs reachable from any branch or tag',
        },
        {
          label: 'Unique tensors',
          value: formatCount(summary.uniqueTensors),
          title: 'Distinct tensor ids reachable from any branch or tag',
        },
        {
          label: 'Raw bytes',
          value: formatBytes(summary.rawBytes),
          title: 'Sum of the raw sizes of the unique tensors',
        },
        {
          label: 'Stored bytes',
          value: formatBytes(summary.storedBytes),
          title: `All object files on disk (${formatPercent(ratio)} of raw)`,
        },
        { label: 'Clustering', value: clustering },
        {
          label: 'Clustered / standalone',
          value: `${formatCount(c.clusteredTensors)} / ${formatCount(c.standaloneTensors)}`,
          title: `${formatCount(c.clusters)} clusters`,
        },
        { label: 'Staged', value: formatCount(summary.staged) },
      ]}
    />
  )
}

function RecentLog() {
  const log = useRepoStore((s) => s.log)
  return (
    <section>
      <h2>Recent commits</h2>
      {log.length === 0 ? (
        <p className="muted">No commits.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Commit</th>
                <th scope="col">Message</th>
                <th scope="col">Author</th>
                <th scope="col">Time</th>
                <th scope="col" className="num">
                  Tensors
                </th>
              </tr>
            </thead>
            <tbody>
              {log.map((c) => (
                <tr key={c.id}>
                  <td>
                    <code>{shortId(c.id)}</code>
                    {c.tags.map((t) => (
                      <span className="tag" key={t}>
                        {t}
                      </span>
                    ))}
                  </td>
                  <td>{c.message}</td>
                  <td>{c.author}</td>
                  <td>{formatTime(c.timestamp)}</td>
                  <td className="num">{formatCount(c.tensors)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

function TensorList() {
  const tensors = useRepoStore((s) => s.tensors)
  const openTensor = useAppStore((s) => s.openTensor)
  return (
    <section>
      <h2>Tensors at HEAD</h2>
      {tensors.length === 0 ? (
        <p className="muted">No tensors.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Dtype</th>
                <th scope="col">Shape</th>
                <th scope="col" className="num">
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {tensors.map((t) => (
                <tr key={t.name}>
                  <td>
                    <button type="button" className="link" onClick={() => openTensor(t.name)}>
                      {t.name}
                    </button>
                  </td>
                  <td>{t.dtype}</td>
                  <td>{formatShape(t.shape)}</td>
                  <td className="num">{formatBytes(t.byteLength)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
