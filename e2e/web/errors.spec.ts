/**
 * Errors: a path that is not a repository gets a sentence saying what to do, not a blank screen.
 */
import fs from 'node:fs'
import path from 'node:path'

import { expect, test } from '../support/ui-server.js'

test.use({ uiArgs: [] })

test('opening a folder that is not a repository explains what to do next', async ({
  app,
  workDir,
}) => {
  const folder = path.join(workDir, 'just-a-folder')
  fs.mkdirSync(folder)
  fs.writeFileSync(path.join(folder, 'notes.txt'), 'not weights\n')

  await app.getByRole('textbox', { name: 'Repository path' }).fill(folder)
  await app.getByRole('button', { name: 'Open repository' }).click()

  const alert = app.getByRole('alert')
  await expect(alert).toContainText(
    'This folder is not a Coral repository. Choose the folder that contains the .coral directory, or open the demo repository.',
  )
  await expect(alert).toContainText(folder)
  // The Welcome screen stays usable: the user can follow the advice at once.
  await expect(app.getByRole('heading', { level: 1, name: 'Coral' })).toBeVisible()
  await expect(app.getByRole('button', { name: 'Open demo repository' })).toBeEnabled()
  await alert.getByRole('button', { name: 'Dismiss' }).click()
  await expect(alert).toHaveCount(0)
})

test('opening a path that does not exist explains what to do next', async ({ app, workDir }) => {
  const missing = path.join(workDir, 'no-such-folder')

  await app.getByRole('textbox', { name: 'Repository path' }).fill(missing)
  await app.getByRole('button', { name: 'Open repository' }).click()

  const alert = app.getByRole('alert')
  await expect(alert).toBeVisible()
  // One sentence of advice (ending in a full stop) plus the detail naming the path.
  await expect(alert.locator('.banner-advice')).toHaveText(/^[A-Z].{20,}\.$/)
  await expect(alert).toContainText(missing)
  await expect(app.getByRole('heading', { level: 1, name: 'Coral' })).toBeVisible()
})

test('repository screens stay disabled until a repository is open', async ({ app }) => {
  const overview = app.getByRole('link', { name: 'Overview' })
  await expect(overview).toHaveAttribute('aria-disabled', 'true')
  // Clicking it anyway keeps the Welcome screen instead of showing an empty screen.
  await overview.click({ force: true })
  await expect(app.getByRole('heading', { level: 1, name: 'Coral' })).toBeVisible()
})
