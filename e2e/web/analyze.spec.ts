/**
 * Analysis: Analyze draws the tensor map and the per-group table from real data.
 */
import { expect, figure, goTo, screenshot, test } from '../support/ui-server.js'

test('Analyze shows the scatter chart and the per-group table', async ({ app }) => {
  await goTo(app, 'Analysis')
  await expect(app.getByText('Run Analyze to see how the tensors cluster.')).toBeVisible()

  await app.getByRole('button', { name: 'Analyze' }).click()

  // The scatter chart: its caption, and at least one plotted point (an SVG symbol per tensor).
  const map = app.locator('figure.chart').filter({ hasText: 'Map of tensors' })
  await expect(map).toBeVisible({ timeout: 30_000 })
  await expect(map.getByText(/showing [1-9][\d,]* of [1-9][\d,]* tensors/)).toBeVisible()
  await expect(map.locator('.recharts-scatter-symbol').first()).toBeVisible()
  expect(await map.locator('.recharts-scatter-symbol').count()).toBeGreaterThan(1)

  // The per-group table: real rows with a dtype-and-shape group and a tensor count.
  const groups = app.getByRole('table', { name: 'Per group (tensors of one dtype and shape)' })
  await expect(groups).toBeVisible()
  const rows = groups.locator('tbody tr')
  expect(await rows.count()).toBeGreaterThan(0)
  await expect(rows.first().locator('td').nth(0)).toHaveText(/\S/)
  await expect(rows.first().locator('td').nth(1)).toHaveText(/^[1-9][\d,]*$/)

  // The headline figures come from the same plan.
  await expect(figure(app, 'Plan figures', 'Groups')).toHaveText(String(await rows.count()))
  await expect(figure(app, 'Plan figures', 'Predicted stored bytes')).toHaveText(/\d/)
  await screenshot(app, 'analysis')
})
