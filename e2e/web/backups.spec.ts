/**
 * Backups: Create backup adds one row with its size; Delete asks, then removes it.
 */
import { expect, goTo, screenshot, test } from '../support/ui-server.js'

test('Create backup lists one backup with a size, and Delete removes it after asking', async ({
  app,
}) => {
  await goTo(app, 'Backups')
  await expect(app.getByText('No backups yet.')).toBeVisible()

  await app.getByRole('button', { name: 'Create backup' }).click()

  const rows = app.getByRole('table').locator('tbody tr')
  await expect(rows).toHaveCount(1, { timeout: 30_000 })
  const size = rows.first().locator('td').nth(1)
  await expect(size).toHaveText(/^[1-9][\d,.]* (B|KB|MB|GB)$/)
  await expect(rows.first().getByRole('button', { name: 'Restore' })).toBeEnabled()
  await screenshot(app, 'backups')

  // Delete asks first, then removes the backup
  await rows.first().getByRole('button', { name: 'Delete' }).click()
  const dialog = app.getByRole('dialog', { name: 'Delete this backup?' })
  await expect(dialog).toContainText('This cannot be undone; the repository itself is not changed.')
  await dialog.getByRole('button', { name: 'Delete' }).click()
  await expect(app.getByText('No backups yet.')).toBeVisible({ timeout: 30_000 })
})
