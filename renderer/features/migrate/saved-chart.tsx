/**
 * Bytes saved over time during a migration: in the encode phase ('migrate'),
 * raw bytes of the tensors processed so far minus the bytes they are stored
 * in now. Other phases (planning, validation) carry no such pair and are left
 * out, so the curve does not jump at phase changes.
 */
import { useMemo } from 'react'
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts'
import type { Progress } from '../../../core/api/contract'
import { PRIMARY_COLOR } from '../../lib/chart-colors'
import { formatBytes } from '../../lib/format'
import { useJobsStore } from '../../stores/jobs-store'

const NO_SAMPLES: readonly Progress[] = []

/** The migration phase whose progress reports raw bytes in and stored bytes out. */
const ENCODE_PHASE = 'migrate'

/** Area chart over the job's sample ring buffer (the last few hundred events). */
export function SavedChart() {
  const samples = useJobsStore((s) => s.jobs.migrate?.samples ?? NO_SAMPLES)
  const data = useMemo(
    () =>
      samples
        .filter((p) => p.phase === ENCODE_PHASE)
        .map((p) => ({ seconds: p.elapsedMs / 1000, saved: p.bytesIn - p.bytesOut })),
    [samples],
  )
  if (data.length < 2) {
    return null
  }
  // Enough decimals that ticks of a short encode phase do not all read the same.
  const span = (data.at(-1)?.seconds ?? 0) - (data[0]?.seconds ?? 0)
  const digits = span < 1 ? 2 : span < 10 ? 1 : 0
  const seconds = (s: number) => `${s.toFixed(digits)} s`
  return (
    <figure className="chart">
      <figcaption>
        Bytes saved so far: raw bytes of the tensors migrated minus the bytes they are stored in,
        against seconds since the migration started
      </figcaption>
      <AreaChart
        responsive
        data={data}
        style={{ width: '100%', height: 220 }}
        margin={{ top: 8, right: 16, bottom: 8, left: 0 }}
      >
        <CartesianGrid strokeDasharray="3 3" />
        <XAxis
          dataKey="seconds"
          type="number"
          domain={['dataMin', 'dataMax']}
          tickFormatter={seconds}
          tickCount={6}
        />
        <YAxis tickFormatter={(b: number) => formatBytes(b)} width={72} />
        <Tooltip
          labelFormatter={(s) => seconds(Number(s))}
          formatter={(b) => [formatBytes(Number(b)), 'Saved']}
        />
        <Area
          dataKey="saved"
          stroke={PRIMARY_COLOR}
          fill={PRIMARY_COLOR}
          fillOpacity={0.25}
          isAnimationActive={false}
        />
      </AreaChart>
    </figure>
  )
}
