/**
 * The headline figures of a cluster plan (analysis and dry run share them).
 */
import type { ClusterPlan } from '../../../core/api/contract'
import { Figures, type Figure } from '../../components/figures'
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  formatSimilarity,
} from '../../lib/format'

/** How the predicted size was obtained, in words. */
export function describePrediction(prediction: ClusterPlan['prediction']): string {
  const bound = `±${formatPercent(prediction.errorBound)}`
  return prediction.method === 'full'
    ? `every tensor encoded (error bound ${bound})`
    : `${formatCount(prediction.sampledTensors)} tensors sampled (error bound ${bound})`
}

/** The plan's figures; `extra` appends screen-specific ones. */
export function PlanFigures({ plan, extra = [] }: { plan: ClusterPlan; extra?: Figure[] }) {
  return (
    <Figures
      label="Plan figures"
      items={[
        { label: 'Clusters', value: formatCount(plan.potentialClusters) },
        {
          label: 'Clustered tensors',
          value: formatCount(plan.clusteredTensors),
          title: 'Unique tensors that would be stored as deltas',
        },
        { label: 'Standalone tensors', value: formatCount(plan.standaloneTensors) },
        {
          label: 'Current stored bytes',
          value: formatBytes(plan.currentStoredBytes),
          title: 'Measured on disk',
        },
        {
          label: 'Predicted stored bytes',
          value: formatBytes(plan.predictedStoredBytes),
          title: 'From encoding the data',
        },
        {
          label: 'Estimated reduction',
          value: formatPercent(plan.estimatedReduction),
          title: '1 − predicted / current stored bytes',
        },
        {
          label: 'Mean similarity',
          value: formatSimilarity(plan.clusteringQuality),
          title: 'Mean cosine similarity of clustered members to their reference',
        },
        { label: 'Prediction', value: describePrediction(plan.prediction) },
        { label: 'Groups', value: formatCount(plan.groups), title: 'Dtype-and-shape groups' },
        { label: 'Computed in', value: formatDuration(plan.elapsedMs) },
        ...extra,
      ]}
    />
  )
}
