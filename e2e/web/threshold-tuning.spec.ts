/**
 * Threshold tuning: moving the slider runs a new dry run whose figures follow the threshold.
 */
import type { Page } from '@playwright/test'

import { expect, figure, goTo, screenshot, test } from '../support/ui-server.js'

/** Waits for the dry run at `threshold` (shown as three decimals) and reads its figures. */
async function dryRunAt(page: Page, threshold: string) {
  const preview = page.getByRole('region', { name: 'Dry-run preview' })
  await expect(
    preview.getByRole('heading', { name: `Dry run at ${threshold} (adaptive)` }),
  ).toBeVisible({
    timeout: 30_000,
  })
  await expect(preview.getByText('updating…')).toHaveCount(0)
  return {
    clusters: await figure(page, 'Plan figures', 'Clusters').textContent(),
    clustered: await figure(page, 'Plan figures', 'Clustered tensors').textContent(),
    predicted: await figure(page, 'Plan figures', 'Predicted stored bytes').textContent(),
  }
}

test('the dry-run preview follows the threshold slider', async ({ app }) => {
  await goTo(app, 'Threshold tuning')
  const slider = app.getByRole('slider', { name: 'Threshold' })
  await expect(slider).toHaveAttribute('min', '0.5')
  await expect(slider).toHaveAttribute('max', '1')

  // Keyboard: Home moves the slider to its minimum, 0.5.
  await slider.focus()
  await app.keyboard.press('Home')
  await expect(slider).toHaveAttribute('aria-valuetext', '0.500')
  const loose = await dryRunAt(app, '0.500')

  // Fill: the tightest threshold short of 1 the slider's step allows.
  await slider.fill('0.995')
  await expect(slider).toHaveAttribute('aria-valuetext', '0.995')
  const tight = await dryRunAt(app, '0.995')

  expect(tight).not.toEqual(loose)
  // A looser threshold admits at least as many members into clusters.
  expect(Number(loose.clustered!.replace(/,/g, ''))).toBeGreaterThanOrEqual(
    Number(tight.clustered!.replace(/,/g, '')),
  )

  // Back to a middle threshold for the screenshot, with the threshold curve drawn.
  await slider.fill('0.9')
  await dryRunAt(app, '0.900')
  await app.getByRole('button', { name: 'Compute curve' }).click()
  await expect(app.getByRole('button', { name: 'Recompute curve' })).toBeVisible({
    timeout: 30_000,
  })
  await screenshot(app, 'threshold-tuning')
})
