/**
 * Opening a repository: the one `coral-ml ui --demo` opened, the Welcome
 * screen's demo button and path field, and the Overview figures.
 */
import path from 'node:path'

import { buildRepository, expect, figure, screenshot, test } from '../support/ui-server.js'

const FIRST_CHECKPOINT = path.resolve(
  import.meta.dirname,
  '../../../shared/zoo/lm/base-step0030.safetensors',
)

test.describe('with --demo', () => {
  test('shows the Overview of the demo repository the server opened', async ({ app, coral }) => {
    await expect(app.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
    expect(coral.repository).not.toBeNull()
    await expect(app.getByRole('main').getByText(coral.repository!)).toBeVisible()

    await expect(figure(app, 'Repository figures', 'Commits')).toHaveText('5')
    await expect(figure(app, 'Repository figures', 'Unique tensors')).toHaveText(/^[1-9][\d,]*$/)
    await expect(figure(app, 'Repository figures', 'Stored bytes')).toHaveText(
      /^[\d.,]+ (B|KB|MB|GB|kB|KiB|MiB|GiB)$/,
    )
    await expect(figure(app, 'Repository figures', 'Clustering')).toHaveText('Not clustered')

    // The recent log lists the five commits, the tensor list the tensors at HEAD.
    const log = app
      .getByRole('table')
      .filter({ has: app.getByRole('columnheader', { name: 'Message' }) })
    await expect(log.getByRole('row')).toHaveCount(6)
    await expect(
      log.getByText('Checkpoint at training step', { exact: false }).first(),
    ).toBeVisible()
    await screenshot(app, 'overview')
  })
})

test.describe('without a repository', () => {
  test.use({ uiArgs: [] })

  test('Welcome opens the demo repository', async ({ app }) => {
    await expect(app.getByRole('heading', { level: 1, name: 'Coral' })).toBeVisible()
    await app.getByRole('button', { name: 'Open demo repository' }).click()
    await expect(app.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
    await expect(figure(app, 'Repository figures', 'Commits')).toHaveText('5')
  })

  test('Welcome opens a repository typed into the path field', async ({ app, workDir }) => {
    const repo = await buildRepository(workDir, 'typed', [FIRST_CHECKPOINT])

    await app.getByRole('textbox', { name: 'Repository path' }).fill(repo)
    await app.getByRole('button', { name: 'Open repository' }).click()
    await expect(app.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
    await expect(figure(app, 'Repository figures', 'Commits')).toHaveText('1')
    await expect(figure(app, 'Repository figures', 'Unique tensors')).toHaveText(/^[1-9][\d,]*$/)
  })
})
