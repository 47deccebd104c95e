/**
 * Members per cluster, largest first.
 */
import { useMemo } from 'react'
import { Bar, BarChart, CartesianGrid, Cell, Tooltip, XAxis, YAxis } from 'recharts'
import type { ClusterReport } from '../../../core/api/contract'
import { clusterColor } from '../../lib/chart-colors'
import { formatCount } from '../../lib/format'

/** Most bars drawn; beyond that the chart shows the largest clusters. */
export const MAX_BARS = 60

/** The bar chart; clicking a bar selects its cluster. */
export function ClusterSizeChart({
  clusters,
  onSelect,
}: {
  clusters: readonly ClusterReport[]
  onSelect(id: string): void
}) {
  const data = useMemo(
    () =>
      clusters
        .map((c, index) => ({
          id: c.id,
          label: `${index + 1}`,
          members: c.members.length,
          color: clusterColor(index),
        }))
        .sort((a, b) => b.members - a.members)
        .slice(0, MAX_BARS),
    [clusters],
  )
  if (clusters.length === 0) {
    return <p className="muted">No clusters at this threshold.</p>
  }
  return (
    <figure className="chart">
      <figcaption>
        Members per cluster
        {clusters.length > MAX_BARS &&
          ` (the ${formatCount(MAX_BARS)} largest of ${formatCount(clusters.length)} clusters)`}
      </figcaption>
      <BarChart
        responsive
        data={data}
        style={{ width: '100%', height: 220 }}
        margin={{ top: 8, right: 16, bottom: 8, left: 0 }}
      >
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" name="Cluster" />
        <YAxis allowDecimals={false} width={40} />
        <Tooltip
          formatter={(value) => [formatCount(Number(value)), 'Members']}
          labelFormatter={(label) => `Cluster ${String(label)}`}
        />
        <Bar
          dataKey="members"
          isAnimationActive={false}
          onClick={(entry) => onSelect((entry as unknown as { id: string }).id)}
        >
          {data.map((d) => (
            <Cell key={d.id} fill={d.color} cursor="pointer" />
          ))}
        </Bar>
      </BarChart>
    </figure>
  )
}
