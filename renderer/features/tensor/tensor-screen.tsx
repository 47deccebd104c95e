/**
 * The tensor view: dtype, shape, statistics, histogram and storage.
 */
import { useEffect, useMemo } from 'react'
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts'
import type { Histogram, TensorDetail } from '../../../core/api/contract'
import { Figures } from '../../components/figures'
import { JobProgress } from '../../components/job-progress'
import { PRIMARY_COLOR } from '../../lib/chart-colors'
import {
  formatBytes,
  formatCount,
  formatPercent,
  formatShape,
  formatSimilarity,
  shortId,
} from '../../lib/format'
import { useAppStore } from '../../stores/app-store'
import { useTensorStore } from '../../stores/tensor-store'

/** The Tensor view for the tensor chosen in Overview. */
export function TensorScreen() {
  const name = useAppStore((s) => s.tensorName)
  const ref = useAppStore((s) => s.tensorRef)
  const from = useAppStore((s) => s.tensorFrom)
  const navigate = useAppStore((s) => s.navigate)
  const detail = useTensorStore((s) => s.detail)
  const load = useTensorStore((s) => s.load)

  useEffect(() => {
    if (name !== null) {
      void load(name, ref)
    }
  }, [name, ref, load])

  return (
    <div className="screen">
      <button type="button" className="link" onClick={() => navigate(from)}>
        ← {from === 'analysis' ? 'Analysis' : 'Overview'}
      </button>
      <h1>{name ?? 'No tensor selected'}</h1>
      {ref !== null && (
        <p className="muted">
          As of commit <code title={ref}>{shortId(ref)}</code>
        </p>
      )}
      <JobProgress jobKey="tensor" />
      {detail !== null && detail.name === name && (ref === null || detail.commit === ref) && (
        <TensorBody detail={detail} />
      )}
    </div>
  )
}

/** A tensor value with `digits` significant digits, trailing zeros dropped; exponential when tiny or huge. */
function formatValue(value: number, digits = 6): string {
  if (!Number.isFinite(value)) {
    return String(value)
  }
  const magnitude = Math.abs(value)
  return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)
    ? value.toExponential(digits - 1).replace(/\.?0+e/, 'e')
    : String(Number(value.toPrecision(digits)))
}

function TensorBody({ detail }: { detail: TensorDetail }) {
  const { storage, stats } = detail
  const isDelta = storage.kind === 'delta'
  return (
    <>
      <Figures
        label="Tensor"
        items={[
          { label: 'Dtype', value: detail.dtype },
          { label: 'Shape', value: formatShape(detail.shape) },
          { label: 'Size', value: formatBytes(detail.byteLength) },
          { label: 'Tensor id', value: <code title={detail.id}>{shortId(detail.id)}</code> },
          { label: 'Commit', value: <code title={detail.commit}>{shortId(detail.commit)}</code> },
        ]}
      />
      <h2>Storage</h2>
      <Figures
        label="Storage"
        items={[
          {
            label: 'Stored as',
            value: isDelta ? 'delta against a cluster reference' : 'standalone',
          },
          {
            label: isDelta ? 'Delta bytes' : 'Stored bytes',
            value: formatBytes(storage.storedBytes),
            title: isDelta
              ? 'Size of the delta object file on disk; the reference is stored once for its cluster'
              : 'Size of the object file on disk',
          },
          {
            label: 'Stored / raw',
            value: formatPercent(
              detail.byteLength > 0 ? storage.storedBytes / detail.byteLength : Number.NaN,
            ),
            title: 'Stored bytes divided by the raw size',
          },
          ...(isDelta
            ? [
                {
                  label: 'Reference',
                  value:
                    storage.referenceId === null ? (
                      '—'
                    ) : (
                      <code title={storage.referenceId}>{shortId(storage.referenceId)}</code>
                    ),
                },
                {
                  label: 'Similarity to reference',
                  value: formatSimilarity(storage.similarity),
                  title: 'Cosine similarity over the full tensor',
                },
              ]
            : []),
        ]}
      />
      <h2>Values</h2>
      {stats === null ? (
        <p className="muted">No statistics for this dtype.</p>
      ) : (
        <Figures
          label="Statistics"
          items={[
            { label: 'Min', value: formatValue(stats.min) },
            { label: 'Max', value: formatValue(stats.max) },
            { label: 'Mean', value: formatValue(stats.mean) },
            { label: 'Std', value: formatValue(stats.std) },
            { label: 'Zeros', value: formatCount(stats.zeros) },
            { label: 'NaNs', value: formatCount(stats.nans) },
            { label: 'Infinities', value: formatCount(stats.infinities) },
          ]}
        />
      )}
      {detail.histogram !== null && <HistogramChart histogram={detail.histogram} />}
    </>
  )
}

function HistogramChart({ histogram }: { histogram: Histogram }) {
  const data = useMemo(
    () =>
      histogram.counts.map((count, i) => ({
        bin: formatValue(histogram.edges[i] ?? Number.NaN, 3),
        range: `${formatValue(histogram.edges[i] ?? Number.NaN)} to ${formatValue(histogram.edges[i + 1] ?? Number.NaN)}`,
        count,
      })),
    [histogram],
  )
  return (
    <figure className="chart">
      <figcaption>Histogram of finite values</figcaption>
      <BarChart
        responsive
        data={data}
        style={{ width: '100%', height: 240 }}
        barCategoryGap={0}
        margin={{ top: 8, right: 16, bottom: 8, left: 0 }}
      >
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="bin" minTickGap={24} />
        <YAxis width={56} tickFormatter={(c: number) => formatCount(c)} />
        <Tooltip
          labelFormatter={(_, payload) =>
            String((payload?.[0]?.payload as { range?: string } | undefined)?.range ?? '')
          }
          formatter={(c) => [formatCount(Number(c)), 'Values']}
        />
        <Bar dataKey="count" fill={PRIMARY_COLOR} isAnimationActive={false} />
      </BarChart>
    </figure>
  )
}
