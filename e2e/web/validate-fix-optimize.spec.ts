/**
 * Status: Validate reports a leftover of a killed writer and Fix problems removes it;
 * Optimize waits for a migration.
 */
import fs from 'node:fs'
import path from 'node:path'

import { expect, goTo, test } from '../support/ui-server.js'

test('Validate finds a temporary file, Fix problems removes it', async ({ app, coral }) => {
  test.setTimeout(90_000)
  // What a writer killed between write and rename leaves behind.
  const leftover = path.join(coral.repository!, '.coral', '.tmp-killed-writer')
  fs.writeFileSync(leftover, 'half-written')

  // Validate only reports
  await goTo(app, 'Status')
  await app.getByRole('button', { name: 'Validate' }).click()
  const problems = app.getByRole('table', { name: 'Problems' })
  await expect(problems.getByRole('row').filter({ hasText: 'temp-file' })).toHaveCount(1, {
    timeout: 60_000,
  })
  await expect(problems.getByRole('row').filter({ hasText: 'temp-file' })).toContainText('no')
  expect(fs.existsSync(leftover)).toBe(true)

  // Fix problems repairs it
  await app.getByRole('button', { name: 'Fix problems' }).click()
  await expect(problems.getByRole('row').filter({ hasText: 'temp-file' })).toContainText('yes', {
    timeout: 60_000,
  })
  await expect(app.getByRole('button', { name: 'Fix problems' })).toHaveCount(0)
  expect(fs.existsSync(leftover)).toBe(false)

  // A second Validate is clean
  await app.getByRole('button', { name: 'Validate' }).click()
  await expect(problems).toHaveCount(0, { timeout: 60_000 })
  await expect(app.getByText('Validation passed: every tensor reads back exactly.')).toBeVisible()

  // Optimize needs a clustered repository, and says so
  await expect(app.getByRole('button', { name: 'Optimize' })).toBeDisabled()
  await expect(
    app.getByText('Optimize works on a clustered repository: run Migrate first.'),
  ).toBeVisible()
})
