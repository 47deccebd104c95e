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

  test('follows the system colour scheme: dark when the system is dark', async ({ app }) => {
    await expect(app.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
    const background = () => app.evaluate(() => getComputedStyle(document.body).backgroundColor)

    await app.emulateMedia({ colorScheme: 'light' })
    const light = await background()
    await app.emulateMedia({ colorScheme: 'dark' })
    const dark = await background()

    expect(light).toBe('rgb(247, 248, 250)')
    expect(dark).toBe('rgb(20, 23, 28)')
    await screenshot(app, 'overview-dark')
  })

  test('a tensor opens in the tensor view with its statistics and histogram', async ({ app }) => {
    const tensors = app
      .getByRole('table')
      .filter({ has: app.getByRole('columnheader', { name: 'Dtype' }) })
    const first = tensors.locator('tbody tr').first().getByRole('button')
    const name = await first.textContent()

    await first.click()

    await expect(app.getByRole('heading', { level: 1, name: name! })).toBeVisible()
    await expect(figure(app, 'Tensor', 'Dtype')).toHaveText(/^(F|BF|I|U)\d+/)
    await expect(figure(app, 'Storage', 'Stored as')).toHaveText('standalone')
    await expect(figure(app, 'Statistics', 'Mean')).toHaveText(/\d/)
    const histogram = app.locator('figure.chart').filter({ hasText: 'Histogram of finite values' })
    await expect(histogram.locator('.recharts-bar-rectangle').first()).toBeVisible()
    await app.getByRole('button', { name: '← Overview' }).click()
    await expect(app.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
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
