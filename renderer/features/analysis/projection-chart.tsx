/**
 * The 2-D map of tensors, one colour per cluster, standalone in grey.
 */
import { useMemo } from 'react'
import { CartesianGrid, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts'
import type { ClusterPlan, ProjectionPoint } from '../../../core/api/contract'
import { clusterColor, NEUTRAL_COLOR } from '../../lib/chart-colors'
import { formatCount } from '../../lib/format'

interface Series {
  id: string | null
  name: string
  color: string
  points: ProjectionPoint[]
}

/** Splits points into one series per cluster (in plan order) plus standalone. */
export function projectionSeries(plan: ClusterPlan): Series[] {
  const byCluster = new Map<string | null, ProjectionPoint[]>()
  for (const point of plan.projection.points) {
    const list = byCluster.get(point.cluster)
    if (list === undefined) {
      byCluster.set(point.cluster, [point])
    } else {
      list.push(point)
    }
  }
  const series: Series[] = []
  plan.clusters.forEach((cluster, index) => {
    const points = byCluster.get(cluster.id)
    if (points !== undefined) {
      series.push({
        id: cluster.id,
        name: `Cluster ${index + 1}`,
        color: clusterColor(index),
        points,
      })
    }
  })
  const standalone = byCluster.get(null)
  if (standalone !== undefined) {
    series.push({ id: null, name: 'Standalone', color: NEUTRAL_COLOR, points: standalone })
  }
  return series
}

/** The scatter plot; clicking a cluster's point selects that cluster. */
export function ProjectionChart({
  plan,
  onSelect,
}: {
  plan: ClusterPlan
  onSelect(id: string): void
}) {
  const series = useMemo(() => projectionSeries(plan), [plan])
  const { points, total } = plan.projection
  return (
    <figure className="chart">
      <figcaption>
        Map of tensors (a 2-D projection of their sketches): showing {formatCount(points.length)} of{' '}
        {formatCount(total)} tensors
        {points.length < total && ` (capped at ${formatCount(plan.projection.cap)})`}.
      </figcaption>
      <ScatterChart
        responsive
        style={{ width: '100%', height: 340 }}
        margin={{ top: 8, right: 16, bottom: 8, left: 0 }}
      >
        <CartesianGrid strokeDasharray="3 3" className="chart-grid" />
        <XAxis type="number" dataKey="x" name="x" tick={false} />
        <YAxis type="number" dataKey="y" name="y" tick={false} width={16} />
        <Tooltip
          cursor={{ strokeDasharray: '3 3' }}
          content={({ active, payload }) => {
            const point = payload?.[0]?.payload as ProjectionPoint | undefined
            return active === true && point !== undefined ? (
              <div className="chart-tip">
                {point.name}
                <br />
                {point.cluster === null ? 'standalone' : 'clustered'}
              </div>
            ) : null
          }}
        />
        {series.map((s) => (
          <Scatter
            key={s.id ?? 'standalone'}
            name={s.name}
            data={s.points}
            fill={s.color}
            isAnimationActive={false}
            onClick={() => {
              if (s.id !== null) {
                onSelect(s.id)
              }
            }}
          />
        ))}
      </ScatterChart>
    </figure>
  )
}
