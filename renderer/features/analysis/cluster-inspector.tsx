/**
 * One cluster: its reference and members.
 */
import type { ClusterReport } from '../../../core/api/contract'
import { formatBytes, formatCount, formatSimilarity, shortId } from '../../lib/format'
import { useAppStore } from '../../stores/app-store'

/** The inspector panel for `cluster` (number `index + 1` in the plan). */
export function ClusterInspector({
  cluster,
  index,
  onClose,
}: {
  cluster: ClusterReport
  index: number
  onClose(): void
}) {
  const openTensor = useAppStore((s) => s.openTensor)
  const standalone = cluster.members.reduce((sum, m) => sum + m.standaloneBytes, 0)
  const delta = cluster.members.reduce((sum, m) => sum + m.deltaBytes, 0)
  return (
    <section className="card" aria-label={`Cluster ${index + 1}`}>
      <div className="row spread">
        <h2>Cluster {index + 1}</h2>
        <button type="button" className="button-secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <p>
        Group <code>{cluster.group}</code>. Reference:{' '}
        {cluster.referenceKind === 'medoid'
          ? 'a member (medoid)'
          : 'the element-wise mean (stored itself)'}
        , <code>{shortId(cluster.referenceId)}</code>, {formatBytes(cluster.referenceBytes)}{' '}
        encoded. {formatCount(cluster.members.length)} members take {formatBytes(delta)} as deltas
        instead of {formatBytes(standalone)} standalone.
      </p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Tensor</th>
              <th scope="col">Names</th>
              <th scope="col">Commits</th>
              <th scope="col" className="num">
                Similarity
              </th>
              <th scope="col" className="num">
                Standalone
              </th>
              <th scope="col" className="num">
                Delta
              </th>
            </tr>
          </thead>
          <tbody>
            {cluster.members.map((m) => (
              <tr key={m.tensorId}>
                <td>
                  <code>{shortId(m.tensorId)}</code>
                </td>
                <td>
                  {/* With one name, that name holds this id in every commit listed. */}
                  {m.names.length === 1 && m.commits[0] !== undefined ? (
                    <button
                      type="button"
                      className="link"
                      title={`Open in the tensor view, as of commit ${shortId(m.commits[0])}`}
                      onClick={() => openTensor(m.names[0]!, m.commits[0])}
                    >
                      {m.names[0]}
                    </button>
                  ) : (
                    m.names.join(', ')
                  )}
                </td>
                <td title={m.commits.join(', ')}>
                  {m.commits.slice(0, 3).map(shortId).join(', ')}
                  {m.commits.length > 3 && ` +${formatCount(m.commits.length - 3)}`}
                </td>
                <td className="num">{formatSimilarity(m.similarity)}</td>
                <td className="num">{formatBytes(m.standaloneBytes)}</td>
                <td className="num">{formatBytes(m.deltaBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
