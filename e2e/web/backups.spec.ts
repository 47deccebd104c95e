/**
 * Backups: Create backup adds one row with its size.
 */
import { expect, goTo, screenshot, test } from '../support/ui-server.js'

test('Create backup lists one backup with a size', async ({ app }) => {
  await goTo(app, 'Backups')
  await expect(app.getByText('No backups yet.')).toBeVisible()

  await app.getByRole('button', { name: 'Create backup' }).click()

  const rows = app.getByRole('table').locator('tbody tr')
  await expect(rows).toHaveCount(1, { timeout: 30_000 })
  const size = rows.first().locator('td').nth(1)
  await expect(size).toHaveText(/^[1-9][\d,.]* (B|KB|MB|GB)$/)
  await expect(rows.first().getByRole('button', { name: 'Restore' })).toBeEnabled()
  await screenshot(app, 'backups')
})
