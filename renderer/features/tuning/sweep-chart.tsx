/**
 * Predicted reduction and cluster count across thresholds.
 */
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import type { SweepPoint } from '../../../core/api/contract'
import { PRIMARY_COLOR, SECONDARY_COLOR } from '../../lib/chart-colors'
import { formatCount, formatPercent, formatThreshold } from '../../lib/format'

/** The threshold curve with the current threshold marked. */
export function SweepChart({
  points,
  threshold,
}: {
  points: readonly SweepPoint[]
  threshold: number
}) {
  return (
    <figure className="chart">
      <figcaption>
        Predicted reduction and clusters across thresholds (current threshold marked)
      </figcaption>
      <LineChart
        responsive
        data={[...points]}
        style={{ width: '100%', height: 280 }}
        margin={{ top: 8, right: 8, bottom: 8, left: 0 }}
      >
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis
          dataKey="threshold"
          type="number"
          domain={[0.5, 1]}
          tickFormatter={(t: number) => t.toFixed(2)}
        />
        <YAxis yAxisId="reduction" tickFormatter={(f: number) => formatPercent(f)} width={56} />
        <YAxis yAxisId="clusters" orientation="right" allowDecimals={false} width={48} />
        <Tooltip
          labelFormatter={(t) => `Threshold ${formatThreshold(Number(t))}`}
          formatter={(value, name) =>
            name === 'Predicted reduction'
              ? formatPercent(Number(value))
              : formatCount(Number(value))
          }
        />
        <Legend />
        <Line
          yAxisId="reduction"
          dataKey="estimatedReduction"
          name="Predicted reduction"
          stroke={PRIMARY_COLOR}
          dot={false}
          isAnimationActive={false}
        />
        <Line
          yAxisId="clusters"
          dataKey="clusters"
          name="Clusters"
          stroke={SECONDARY_COLOR}
          dot={false}
          isAnimationActive={false}
        />
        <ReferenceLine
          yAxisId="reduction"
          x={threshold}
          stroke="currentColor"
          strokeDasharray="4 4"
          label="current"
        />
      </LineChart>
    </figure>
  )
}
