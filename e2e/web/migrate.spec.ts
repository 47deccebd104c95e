/**
 * Migrate with a backup, validate, optimize, then restore the backup.
 */
import { expect, figure, goTo, screenshot, test } from '../support/ui-server.js'
import { recordProgress, risesWithinPhases } from '../support/progress-recorder.js'

test('migrate with backup, validate, optimize, and restore the backup', async ({
  app,
  coreProgress,
}) => {
  test.setTimeout(120_000)

  // Migrate, with the default backup on
  await goTo(app, 'Migrate')
  const backup = app.getByRole('checkbox', { name: /Back up the store first/ })
  await expect(backup).toBeChecked()
  const progress = await recordProgress(app, 'Migrating')
  await app.getByRole('button', { name: 'Migrate', exact: true }).click()

  const report = app.getByRole('region', { name: 'Migration report' })
  await expect(report.getByText('Migration validation passed')).toBeVisible({ timeout: 90_000 })
  // The core reports every phase (sketch, plan, ..., migrate, validate) up to done = total;
  // the write phase ends with every planned tensor handled.
  const writes = coreProgress.filter((p) => p.phase === 'migrate')
  expect(writes.length, JSON.stringify(coreProgress)).toBeGreaterThan(0)
  expect(writes.at(-1)!.done).toBe(writes.at(-1)!.total)
  // The bar restarts per phase and rises within each, reaching 100. Not every phase is
  // painted: progress is drawn once per frame, a short phase can begin and end between two
  // frames, and the report replaces the bar in the render that ends the job.
  const shown = await progress.samples()
  expect(risesWithinPhases(shown), JSON.stringify(shown)).toBe(true)
  expect(Math.max(...shown.map((s) => s.value)), JSON.stringify(shown)).toBe(100)
  await expect(report.getByText(/Backup kept at/)).toBeVisible()
  await expect(figure(app, 'Migration figures', 'Tensors processed')).toHaveText(/^[1-9][\d,]*$/)
  await screenshot(app, 'migration-result')

  // The Overview now says clustered
  await goTo(app, 'Overview')
  await expect(figure(app, 'Repository figures', 'Clustering')).toHaveText(/^Clustered \(/)

  // Validate finds no problems
  await goTo(app, 'Status')
  await app.getByRole('button', { name: 'Validate' }).click()
  await expect(app.getByText('Validation passed: every tensor reads back exactly.')).toBeVisible({
    timeout: 60_000,
  })
  await expect(app.getByRole('table', { name: 'Problems' })).toHaveCount(0)

  // Optimize reports on the clustered repository
  await app.getByRole('button', { name: 'Optimize' }).click()
  await expect(figure(app, 'Optimize results', 'Bytes after')).toHaveText(/^[\d.,]+ (B|KB|MB)$/, {
    timeout: 60_000,
  })
  await expect(figure(app, 'Optimize results', 'Re-encoded tensors')).toHaveText(/^\d[\d,]*$/)

  // Restore the backup the migration took
  await goTo(app, 'Backups')
  const rows = app.getByRole('table').locator('tbody tr')
  await expect(rows).toHaveCount(1)
  await rows.first().getByRole('button', { name: 'Restore' }).click()
  const dialog = app.getByRole('dialog', { name: 'Restore this backup?' })
  await expect(dialog).toBeVisible()
  await dialog.getByRole('button', { name: 'Restore' }).click()
  await expect(dialog).toHaveCount(0)
  await expect(app.getByRole('status').getByText(/^Restored backup /)).toBeVisible({
    timeout: 60_000,
  })

  await goTo(app, 'Overview')
  await expect(figure(app, 'Repository figures', 'Clustering')).toHaveText('Not clustered')
  await expect(figure(app, 'Repository figures', 'Commits')).toHaveText('5')
})
