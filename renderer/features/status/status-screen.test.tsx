import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { StatusReport } from '../../../core/api/contract'
import { setBridge } from '../../lib/current-bridge'
import { useRepoStore } from '../../stores/repo-store'
import { createFakeBridge, type FakeBridge } from '../../test/fake-bridge'
import { makeSummary, makeValidation } from '../../test/fixtures'
import { resetStores } from '../../test/reset-stores'
import { StatusScreen } from './status-screen'

/** A clustered repository's status. */
const STATUS: StatusReport = {
  migrated: true,
  strategy: 'adaptive',
  threshold: 0.9,
  clusters: 7,
  clusteredTensors: 28,
  standaloneTensors: 182,
  lastMigration: '2026-12-03T20:15:00.000Z',
  storedBytes: 739_000,
  rawBytes: 1_140_000,
  standaloneBytes: 823_000,
  bytesSaved: 84_000,
  reduction: 84_000 / 823_000,
}

/** The value shown for `label` in the figure list named `list`. */
function figure(list: string, label: string): string | null {
  const items = document.querySelectorAll(`dl[aria-label="${list}"] > .figure`)
  for (const item of items) {
    if (item.querySelector('dt')?.textContent === label) {
      return item.querySelector('dd')?.textContent ?? null
    }
  }
  return null
}

describe('features/status/status-screen', () => {
  let fake: FakeBridge

  beforeEach(() => {
    fake = createFakeBridge()
    setBridge(fake)
    useRepoStore.setState({ summary: makeSummary() })
    fake.autoRespond('status', STATUS)
    fake.autoRespond('summary', makeSummary())
    fake.autoRespond('log', [])
    fake.autoRespond('listTensors', [])
  })
  afterEach(() => {
    cleanup()
    resetStores()
  })

  it('shows the clustering status figures from the core', async () => {
    await act(async () => render(<StatusScreen />))

    expect(figure('Clustering status', 'Clustering')).toBe('Clustered (adaptive, 0.900)')
    expect(figure('Clustering status', 'Clusters')).toBe('7')
    expect(figure('Clustering status', 'Bytes saved')).toBe('84.0 KB')
    expect(figure('Clustering status', 'Reduction')).toBe('10.2%')
  })

  it('Validate checks without fixing and shows the verdict', async () => {
    await act(async () => render(<StatusScreen />))

    fireEvent.click(screen.getByRole('button', { name: 'Validate' }))
    await act(async () => fake.last('validate').resolve(makeValidation(true)))

    expect(fake.last('validate').params).toEqual({ fix: false })
    expect(screen.getByRole('status').textContent).toBe(
      'Validation passed: every tensor reads back exactly.',
    )
    expect(screen.queryByRole('button', { name: 'Fix problems' })).toBeNull()
  })

  it('offers Fix problems after problems were found, and runs validate with fix', async () => {
    await act(async () => render(<StatusScreen />))
    fireEvent.click(screen.getByRole('button', { name: 'Validate' }))
    await act(async () => fake.last('validate').resolve(makeValidation(false)))
    expect(screen.getByRole('status').textContent).toBe(
      'Validation found 1 problem (0 fixed, 1 not fixed).',
    )
    expect(screen.getByRole('table', { name: 'Problems' }).textContent).toContain(
      'object aaaa does not hash to its id',
    )

    fireEvent.click(screen.getByRole('button', { name: 'Fix problems' }))
    const fixed = makeValidation(false)
    fixed.problems = fixed.problems.map((p) => ({ ...p, fixed: true }))
    fixed.fixed = 1
    fixed.unfixed = 0
    fixed.ok = true
    await act(async () => fake.last('validate').resolve(fixed))

    expect(fake.last('validate').params).toEqual({ fix: true })
    expect(screen.getByRole('status').textContent).toBe(
      'Validation passed: every tensor reads back exactly.',
    )
    // Fixing changed the store: the summary and status are read again.
    expect(fake.callsOf('summary').length).toBeGreaterThan(0)
    expect(fake.callsOf('status')).toHaveLength(2)
    expect(screen.queryByRole('button', { name: 'Fix problems' })).toBeNull()
  })

  it('keeps Optimize disabled, saying why, until the repository is migrated', async () => {
    fake.autoRespond('status', { ...STATUS, migrated: false, strategy: null, threshold: null })

    await act(async () => render(<StatusScreen />))

    const optimize = screen.getByRole('button', { name: 'Optimize' }) as HTMLButtonElement
    expect(optimize.disabled).toBe(true)
    expect(optimize.getAttribute('aria-describedby')).toBe('optimize-needs-migration')
    expect(
      screen.getByText('Optimize works on a clustered repository: run Migrate first.'),
    ).toBeTruthy()
  })

  it('Optimize shows its report with bytes before and after', async () => {
    await act(async () => render(<StatusScreen />))

    fireEvent.click(screen.getByRole('button', { name: 'Optimize' }))
    await act(async () =>
      fake.last('optimize').resolve({
        bytesBefore: 800_000,
        bytesAfter: 600_000,
        reencoded: 4,
        removedObjects: 2,
        elapsedMs: 1_500,
      }),
    )

    expect(figure('Optimize results', 'Bytes before')).toBe('800 KB')
    expect(figure('Optimize results', 'Bytes after')).toBe('600 KB')
    expect(figure('Optimize results', 'Saved')).toBe('200 KB (25.0%)')
    expect(figure('Optimize results', 'Re-encoded tensors')).toBe('4')
  })
})
