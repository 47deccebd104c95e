import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setBridge } from '../../lib/current-bridge'
import { createFakeBridge, type FakeBridge } from '../../test/fake-bridge'
import { makeMigrationReport, makeSummary } from '../../test/fixtures'
import { resetStores } from '../../test/reset-stores'
import { flushProgress, setFrameScheduler } from '../../stores/jobs-store'
import { useRepoStore } from '../../stores/repo-store'
import { MigrateScreen } from './migrate-screen'

describe('features/migrate/migrate-screen', () => {
  let fake: FakeBridge

  beforeEach(() => {
    fake = createFakeBridge()
    setBridge(fake)
    // Frames are flushed by hand so the test decides when the store updates.
    setFrameScheduler(() => {})
    useRepoStore.setState({ summary: makeSummary() })
    fake.autoRespond('summary', makeSummary())
    fake.autoRespond('log', [])
    fake.autoRespond('listTensors', [])
  })
  afterEach(() => {
    cleanup()
    resetStores()
  })

  it('starts with the backup box ticked and the batch size automatic', () => {
    render(<MigrateScreen />)

    expect((screen.getByRole('checkbox', { name: /Back up/ }) as HTMLInputElement).checked).toBe(
      true,
    )
    const batch = screen.getByRole('spinbutton', { name: 'Batch size' }) as HTMLInputElement
    expect(batch.value).toBe('')
    expect(batch.placeholder).toBe('automatic')
  })

  it('sends a typed batch size, and none once the field is cleared', async () => {
    render(<MigrateScreen />)
    const batch = screen.getByRole('spinbutton', { name: 'Batch size' })

    fireEvent.change(batch, { target: { value: '16' } })
    fireEvent.click(screen.getByRole('button', { name: 'Migrate' }))
    const first = fake.last('migrate')
    expect(first.params).toMatchObject({ batchSize: 16 })
    await act(async () => first.resolve(makeMigrationReport(true)))

    fireEvent.change(batch, { target: { value: '' } })
    fireEvent.click(screen.getByRole('button', { name: 'Migrate' }))
    const second = fake.last('migrate')
    expect(second).not.toBe(first)
    expect((second.params as { batchSize?: number }).batchSize).toBeUndefined()
  })

  it('shows a progressbar whose aria-valuenow follows the progress events', () => {
    render(<MigrateScreen />)
    fireEvent.click(screen.getByRole('button', { name: 'Migrate' }))
    const call = fake.last('migrate')

    act(() => {
      call.emit({
        phase: 'encode',
        done: 1,
        total: 4,
        bytesIn: 1000,
        bytesOut: 500,
        elapsedMs: 100,
      })
      flushProgress()
    })
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25')
    expect(screen.getByRole('progressbar').getAttribute('aria-valuemin')).toBe('0')
    expect(screen.getByRole('progressbar').getAttribute('aria-valuemax')).toBe('100')
    expect(screen.getByText('1 of 4')).toBeTruthy()

    act(() => {
      call.emit({
        phase: 'encode',
        done: 2,
        total: 4,
        bytesIn: 2000,
        bytesOut: 900,
        elapsedMs: 200,
      })
      call.emit({
        phase: 'encode',
        done: 3,
        total: 4,
        bytesIn: 3000,
        bytesOut: 1300,
        elapsedMs: 300,
      })
      flushProgress()
    })
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('75')
    expect(screen.getByText('3,000 B')).toBeTruthy()
  })

  it('Cancel calls cancel on the migration request', async () => {
    render(<MigrateScreen />)
    fireEvent.click(screen.getByRole('button', { name: 'Migrate' }))

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Cancel' })))

    expect(fake.last('migrate').cancelled).toBe(true)
    expect(screen.queryByRole('progressbar')).toBeNull()
  })

  it('says "Migration validation passed" when validation is ok', async () => {
    render(<MigrateScreen />)
    fireEvent.click(screen.getByRole('button', { name: 'Migrate' }))

    await act(async () => fake.last('migrate').resolve(makeMigrationReport(true)))

    expect(screen.getByText('Migration validation passed')).toBeTruthy()
    expect(screen.getByText('1.19 MB')).toBeTruthy()
  })

  it('does not say validation passed when it found problems', async () => {
    render(<MigrateScreen />)
    fireEvent.click(screen.getByRole('button', { name: 'Migrate' }))

    await act(async () => fake.last('migrate').resolve(makeMigrationReport(false)))

    expect(screen.queryByText('Migration validation passed')).toBeNull()
    expect(screen.getByText(/Validation found 1 problem/)).toBeTruthy()
    expect(screen.getByText('object aaaa does not hash to its id')).toBeTruthy()
  })
})
