/**
 * Figures per dtype-and-shape group.
 */
import type { GroupReport } from '../../../core/api/contract'
import { formatBytes, formatCount, formatPercent } from '../../lib/format'

/** The per-group breakdown table. */
export function GroupTable({ groups }: { groups: readonly GroupReport[] }) {
  return (
    <div className="table-wrap">
      <table>
        <caption>Per group (tensors of one dtype and shape)</caption>
        <thead>
          <tr>
            <th scope="col">Group</th>
            <th scope="col" className="num">
              Tensors
            </th>
            <th scope="col" className="num">
              Clusters
            </th>
            <th scope="col" className="num">
              Clustered
            </th>
            <th scope="col" className="num">
              Standalone
            </th>
            <th scope="col">Strategy used</th>
            <th scope="col" className="num">
              Raw
            </th>
            <th scope="col" className="num">
              Predicted
            </th>
            <th scope="col" className="num">
              Predicted / raw
            </th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g.group}>
              <td>
                <code>{g.group}</code>
              </td>
              <td className="num">{formatCount(g.tensors)}</td>
              <td className="num">{formatCount(g.clusters)}</td>
              <td className="num">{formatCount(g.clustered)}</td>
              <td className="num">{formatCount(g.standalone)}</td>
              <td>{g.strategyUsed}</td>
              <td className="num">{formatBytes(g.rawBytes)}</td>
              <td className="num">{formatBytes(g.predictedBytes)}</td>
              <td className="num">
                {g.rawBytes > 0 ? formatPercent(g.predictedBytes / g.rawBytes) : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
