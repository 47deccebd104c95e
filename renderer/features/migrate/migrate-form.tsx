/**
 * The migration options form.
 */
import { useId } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useMigrateStore } from '../../stores/migrate-store'
import { StrategyPicker, ThresholdSlider } from '../tuning/threshold-controls'

/** Strategy, threshold, backup, batch size and force, plus the Migrate button. */
export function MigrateForm({ disabled }: { disabled: boolean }) {
  const [form, update, start] = useMigrateStore(useShallow((s) => [s.form, s.update, s.start]))
  const batchId = useId()
  return (
    <form
      className="controls"
      // The range input's float step would make the form "invalid" on rounding; values are checked here.
      noValidate
      onSubmit={(e) => {
        e.preventDefault()
        void start()
      }}
    >
      <StrategyPicker value={form.strategy} onChange={(strategy) => update({ strategy })} />
      <ThresholdSlider value={form.threshold} onChange={(threshold) => update({ threshold })} />
      <label className="check">
        <input
          type="checkbox"
          checked={form.backup}
          onChange={(e) => update({ backup: e.target.checked })}
        />
        Back up the store first (kept until you delete it on the Backups screen)
      </label>
      <div className="field">
        <label htmlFor={batchId}>Batch size</label>
        <input
          id={batchId}
          type="number"
          min={1}
          step={1}
          placeholder="automatic"
          value={form.batchSize ?? ''}
          onChange={(e) => {
            if (e.target.value === '') {
              update({ batchSize: undefined })
              return
            }
            const value = Math.floor(Number(e.target.value))
            if (Number.isFinite(value) && value >= 1) {
              update({ batchSize: value })
            }
          }}
        />
        <small className="muted">
          Most tensors held in memory at once. Empty: as many as fit in 256 MiB, at least 8.
        </small>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={form.force}
          onChange={(e) => update({ force: e.target.checked })}
        />
        Force (migrate again even if the repository is already migrated)
      </label>
      <div>
        <button type="submit" disabled={disabled}>
          Migrate
        </button>
      </div>
    </form>
  )
}
