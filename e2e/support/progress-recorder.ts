/**
 * Records every value a progress bar shows, even one that appears and goes
 * within a frame: a MutationObserver in the page logs each `aria-valuenow`
 * of the progress bars named `label`, with the phase shown next to it, so a
 * test can assert what the user saw.
 */
import type { Page } from '@playwright/test'

/** One value the bar showed, and the job phase shown with it (empty when none). */
export interface ProgressSample {
  phase: string
  value: number
}

/** The samples seen so far, in order. */
export interface ProgressRecorder {
  samples(): Promise<ProgressSample[]>
}

/** Starts recording the progress bars whose accessible name is `label`. */
export async function recordProgress(page: Page, label: string): Promise<ProgressRecorder> {
  const key = `__coralProgress_${label.replace(/\W/g, '_')}`
  await page.evaluate(
    ({ key, label }) => {
      const seen: { phase: string; value: number }[] = []
      ;(window as unknown as Record<string, unknown>)[key] = seen
      const read = () => {
        const bars = document.querySelectorAll(`[role="progressbar"][aria-label="${label}"]`)
        for (const bar of Array.from(bars)) {
          const value = bar.getAttribute('aria-valuenow')
          const phase = bar.closest('.job')?.querySelector('.job-phase')?.textContent ?? ''
          const last = seen[seen.length - 1]
          if (value !== null && (last?.value !== Number(value) || last.phase !== phase)) {
            seen.push({ phase, value: Number(value) })
          }
        }
      }
      new MutationObserver(read).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
        attributeFilter: ['aria-valuenow'],
      })
      read()
    },
    { key, label },
  )
  return {
    samples: () =>
      page.evaluate(
        (key) => [...((window as unknown as Record<string, ProgressSample[]>)[key] ?? [])],
        key,
      ),
  }
}

/** True when, within each run of one phase, the values never go down. */
export function risesWithinPhases(samples: readonly ProgressSample[]): boolean {
  return samples.every(
    (s, i) => i === 0 || s.phase !== samples[i - 1]!.phase || s.value >= samples[i - 1]!.value,
  )
}
