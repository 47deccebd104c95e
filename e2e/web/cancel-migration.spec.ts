/**
 * Cancel a migration midway: the repository stays valid, and Migrate resumes.
 *
 * The demo migrates in about a second, too fast to cancel reliably, so these
 * tests serve a copy of the real `lm` training checkpoints (12 commits).
 */
import type { Page } from '@playwright/test'

import { expect, test } from '../support/lm-repository.js'
import { figure, goTo, screenshot, slowFsyncEnv } from '../support/ui-server.js'

// Every object the write phase rewrites waits for one fsync: 25 ms each
// stretches the phase to seconds, so a click on Cancel lands inside it on
// any machine instead of racing a phase of a few tenths of a second.
test.use({ uiEnv: slowFsyncEnv(25) })

/** Starts Migrate and clicks Cancel as soon as the job reports `phase`. */
async function migrateAndCancelIn(page: Page, phase: string): Promise<void> {
  await expect(figure(page, 'Repository figures', 'Commits')).toHaveText('12')
  await goTo(page, 'Migrate')
  await page.getByRole('button', { name: 'Migrate', exact: true }).click()
  const job = page.getByRole('region', { name: 'Migrating progress' })
  // Poll every frame: the write phase of this repository lasts about a second.
  await page.waitForFunction(
    (phase) => document.querySelector('.job .job-phase')?.textContent === phase,
    phase,
    { polling: 'raf', timeout: 120_000 },
  )
  await job.getByRole('button', { name: 'Cancel' }).click()
  await expect(
    page.getByText('The migration was cancelled; run Migrate again to resume.'),
  ).toBeVisible({
    timeout: 60_000,
  })
  await expect(page.getByRole('status').getByText(/^Migration cancelled\./)).toBeVisible()
  await expect(page.getByRole('region', { name: 'Migration report' })).toHaveCount(0)
}

/** Runs Validate on the Status screen and waits for its verdict. */
async function validate(page: Page) {
  await goTo(page, 'Status')
  await page.getByRole('button', { name: 'Validate' }).click()
  const verdict = page.locator('.verdict')
  await expect(verdict).toBeVisible({ timeout: 120_000 })
  return verdict
}

test('Cancel while planning leaves the repository unchanged and valid', async ({ app }) => {
  test.setTimeout(180_000)
  const stored = await figure(app, 'Repository figures', 'Stored bytes').textContent()

  await goTo(app, 'Migrate')
  await app.getByRole('button', { name: 'Migrate', exact: true }).click()
  const job = app.getByRole('region', { name: 'Migrating progress' })
  await expect(job.locator('.job-phase')).toHaveText('plan', { timeout: 60_000 })
  await expect(job.getByRole('progressbar', { name: 'Migrating' })).toHaveAttribute(
    'aria-valuenow',
    /^\d+$/,
  )
  await screenshot(app, 'migration-progress')
  await job.getByRole('button', { name: 'Cancel' }).click()
  await expect(
    app.getByText('The migration was cancelled; run Migrate again to resume.'),
  ).toBeVisible({
    timeout: 60_000,
  })

  await expect(await validate(app)).toHaveText(
    'Validation passed: every tensor reads back exactly.',
  )
  await expect(app.getByRole('table', { name: 'Problems' })).toHaveCount(0)
  await goTo(app, 'Overview')
  await expect(figure(app, 'Repository figures', 'Clustering')).toHaveText('Not clustered')
  await expect(figure(app, 'Repository figures', 'Stored bytes')).toHaveText(stored!)
})

test('Cancel while writing, then Migrate resumes and validation passes', async ({ app }) => {
  test.setTimeout(180_000)
  await migrateAndCancelIn(app, 'migrate')

  await goTo(app, 'Migrate')
  await app.getByRole('button', { name: 'Migrate', exact: true }).click()
  const report = app.getByRole('region', { name: 'Migration report' })
  await expect(
    report.getByRole('heading', { name: 'Migration finished (resumed an interrupted run)' }),
  ).toBeVisible({
    timeout: 120_000,
  })
  await expect(report.getByText('Migration validation passed')).toBeVisible()

  await expect(await validate(app)).toHaveText(
    'Validation passed: every tensor reads back exactly.',
  )
  await expect(app.getByRole('table', { name: 'Problems' })).toHaveCount(0)
})

test('Validate right after a cancel during the write phase passes and says it is paused', async ({
  app,
}) => {
  test.setTimeout(180_000)
  await migrateAndCancelIn(app, 'migrate')

  await expect(await validate(app)).toHaveText(
    'Validation passed: every tensor reads back exactly.',
  )
  await expect(app.getByRole('table', { name: 'Problems' })).toHaveCount(0)
  await expect(app.getByRole('note').getByText(/^A migration started .* is paused/)).toBeVisible()
})
