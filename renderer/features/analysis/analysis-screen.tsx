/**
 * Analysis: run `analyze` and explore the planned clusters.
 */
import type { ClusterReport } from '../../../core/api/contract'
import { useShallow } from 'zustand/react/shallow'
import { JobProgress } from '../../components/job-progress'
import { formatThreshold } from '../../lib/format'
import { useAnalysisStore } from '../../stores/analysis-store'
import { useAppStore } from '../../stores/app-store'
import { useJobsStore } from '../../stores/jobs-store'
import { useTuningStore } from '../../stores/tuning-store'
import { ClusterInspector } from './cluster-inspector'
import { ClusterSizeChart } from './cluster-size-chart'
import { GroupTable } from './group-table'
import { PlanFigures } from './plan-figures'
import { ProjectionChart } from './projection-chart'

/** The Analysis screen. */
export function AnalysisScreen() {
  const [plan, selectedId, analyze, select] = useAnalysisStore(
    useShallow((s) => [s.plan, s.selectedClusterId, s.analyze, s.selectCluster]),
  )
  const [strategy, threshold] = useTuningStore(useShallow((s) => [s.strategy, s.threshold]))
  const running = useJobsStore((s) => s.jobs.analyze?.running === true)
  const navigate = useAppStore((s) => s.navigate)
  const selectedIndex = plan?.clusters.findIndex((c) => c.id === selectedId) ?? -1
  const selected = selectedIndex >= 0 ? plan?.clusters[selectedIndex] : undefined

  return (
    <div className="screen">
      <h1>Analysis</h1>
      <div className="row">
        <button type="button" onClick={() => void analyze()} disabled={running}>
          Analyze
        </button>
        <span className="muted">
          Strategy {strategy}, threshold {formatThreshold(threshold)}.{' '}
          <button type="button" className="link" onClick={() => navigate('tuning')}>
            Change in Threshold tuning
          </button>
        </span>
      </div>
      <JobProgress jobKey="analyze" />
      {plan === null ? (
        !running && (
          <p className="muted">Run Analyze to see how the tensors cluster. Nothing is written.</p>
        )
      ) : (
        <>
          <PlanFigures plan={plan} />
          <ProjectionChart plan={plan} onSelect={select} />
          <ClusterSizeChart clusters={plan.clusters} onSelect={select} />
          {selected !== undefined && (
            <ClusterInspector
              cluster={selected}
              index={selectedIndex}
              onClose={() => select(null)}
            />
          )}
          <ClusterList />
          <GroupTable groups={plan.groupBreakdown} />
        </>
      )}
    </div>
  )
}

const NO_CLUSTERS: readonly ClusterReport[] = []

/** Keyboard-reachable list of clusters (the charts are mouse-only). */
function ClusterList() {
  const clusters = useAnalysisStore((s) => s.plan?.clusters ?? NO_CLUSTERS)
  const select = useAnalysisStore((s) => s.selectCluster)
  if (clusters.length === 0) {
    return null
  }
  return (
    <details>
      <summary>All clusters ({clusters.length})</summary>
      <ul className="chips">
        {clusters.map((c, i) => (
          <li key={c.id}>
            <button
              type="button"
              className="button-small button-secondary"
              onClick={() => select(c.id)}
            >
              Cluster {i + 1} · {c.group} · {c.members.length}
            </button>
          </li>
        ))}
      </ul>
    </details>
  )
}
