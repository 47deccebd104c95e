/**
 * A validation outcome: the verdict, counts and the problems table.
 */
import type { ValidationReport } from '../../core/api/contract'
import { formatCount, formatDuration, formatTime, shortId } from '../lib/format'

/** Shows `report`; `passedText` is the sentence shown when it is ok. */
export function ValidationView({
  report,
  passedText,
}: {
  report: ValidationReport
  passedText: string
}) {
  return (
    <div>
      {report.ok ? (
        <p className="verdict verdict-ok" role="status">
          {passedText}
        </p>
      ) : (
        <p className="verdict verdict-bad" role="status">
          Validation found {formatCount(report.problems.length)} problem
          {report.problems.length === 1 ? '' : 's'} ({formatCount(report.fixed)} fixed,{' '}
          {formatCount(report.unfixed)} not fixed).
        </p>
      )}
      {report.pendingMigration && (
        <p role="note">
          A migration started {formatTime(report.pendingMigration.startedAt)} is paused (phase{' '}
          {report.pendingMigration.phase}, {formatCount(report.pendingMigration.done)} of{' '}
          {formatCount(report.pendingMigration.total)} tensors encoded). Every tensor reads back in
          its current form; run Migrate to finish it.
        </p>
      )}
      <p className="muted">
        Checked {formatCount(report.commitsChecked)} commits and{' '}
        {formatCount(report.tensorsChecked)} tensors in {formatDuration(report.elapsedMs)}.
      </p>
      {report.problems.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption>Problems</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Problem</th>
                <th scope="col">Where</th>
                <th scope="col">Fixed</th>
              </tr>
            </thead>
            <tbody>
              {report.problems.map((p, i) => (
                <tr key={`${p.kind}-${i}`}>
                  <td>{p.kind}</td>
                  <td>{p.message}</td>
                  <td>
                    {[
                      p.tensorId && `tensor ${shortId(p.tensorId)}`,
                      p.commit && `commit ${shortId(p.commit)}`,
                      p.path,
                    ]
                      .filter(Boolean)
                      .join(', ')}
                  </td>
                  <td>{p.fixed ? 'yes' : 'no'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}
