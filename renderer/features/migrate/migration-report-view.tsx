/**
 * The figures of a finished migration and its validation.
 */
import type { MigrationReport } from '../../../core/api/contract'
import { Figures } from '../../components/figures'
import { ValidationView } from '../../components/validation-view'
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatPercent,
  formatThreshold,
} from '../../lib/format'

/** The MigrationReport, including whether validation passed. */
export function MigrationReportView({ report }: { report: MigrationReport }) {
  const predictionError =
    report.predictedStoredBytes > 0
      ? report.storedBytesAfter / report.predictedStoredBytes - 1
      : Number.NaN
  return (
    <section aria-label="Migration report">
      <h2>Migration finished{report.resumed && ' (resumed an interrupted run)'}</h2>
      <Figures
        label="Migration figures"
        items={[
          { label: 'Tensors processed', value: formatCount(report.tensorsProcessed) },
          { label: 'Clusters created', value: formatCount(report.clustersCreated) },
          {
            label: 'Clustered / standalone',
            value: `${formatCount(report.clusteredTensors)} / ${formatCount(report.standaloneTensors)}`,
          },
          {
            label: 'Stored before',
            value: formatBytes(report.storedBytesBefore),
            title: 'Measured on disk',
          },
          {
            label: 'Stored after',
            value: formatBytes(report.storedBytesAfter),
            title: 'Measured on disk',
          },
          { label: 'Saved', value: formatBytes(report.bytesSaved) },
          {
            label: 'Reduction',
            value: formatPercent(report.reduction),
            title: 'Saved / stored before',
          },
          {
            label: 'Predicted after',
            value: formatBytes(report.predictedStoredBytes),
            title: `Actual differs from the prediction by ${formatPercent(predictionError)}`,
          },
          { label: 'Settings', value: `${report.strategy}, ${formatThreshold(report.threshold)}` },
          { label: 'Time', value: formatDuration(report.elapsedMs) },
        ]}
      />
      {report.backupPath !== null && (
        <p className="muted">
          Backup kept at <code>{report.backupPath}</code>.
        </p>
      )}
      <ValidationView report={report.validation} passedText="Migration validation passed" />
    </section>
  )
}
