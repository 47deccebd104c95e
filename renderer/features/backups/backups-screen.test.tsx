import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setBridge } from '../../lib/current-bridge'
import { formatTime } from '../../lib/format'
import { createFakeBridge, type FakeBridge } from '../../test/fake-bridge'
import { makeBackup, makeSummary } from '../../test/fixtures'
import { resetStores } from '../../test/reset-stores'
import { useRepoStore } from '../../stores/repo-store'
import { BackupsScreen } from './backups-screen'

describe('features/backups/backups-screen', () => {
  let fake: FakeBridge
  const backup = makeBackup()

  beforeEach(() => {
    fake = createFakeBridge()
    setBridge(fake)
    useRepoStore.setState({ summary: makeSummary() })
    fake.autoRespond('listBackups', [backup])
    fake.autoRespond('log', [])
    fake.autoRespond('listTensors', [])
  })
  afterEach(() => {
    cleanup()
    resetStores()
  })

  it('lists backups with their time and size', async () => {
    await act(async () => render(<BackupsScreen />))

    expect(screen.getByText(formatTime(backup.createdAt))).toBeTruthy()
    expect(screen.getByText('3.70 MB')).toBeTruthy()
  })

  it('shows the newest backup first, as the core lists them oldest first', async () => {
    const newer = makeBackup({
      id: '.coral_backup_20261204_090000',
      createdAt: '2026-12-04T09:00:00.000Z',
    })
    fake.autoRespond('listBackups', [backup, newer])

    await act(async () => render(<BackupsScreen />))

    const rows = screen.getAllByRole('row').slice(1)
    expect(rows.map((r) => within(r).getByRole('code').textContent)).toEqual([newer.id, backup.id])
  })

  it('asks before restoring, says what will change, and restores only on confirm', async () => {
    await act(async () => render(<BackupsScreen />))

    fireEvent.click(screen.getByRole('button', { name: 'Restore' }))

    const dialog = screen.getByRole('dialog', { name: 'Restore this backup?' })
    expect(dialog.textContent).toContain(
      `The repository goes back to how it was at ${formatTime(backup.createdAt)}`,
    )
    // What it is now, from the core's summary, so the person sees what will change.
    expect(dialog.textContent).toContain(
      'Now it has 3 commits, is not clustered and takes 3.70 MB on disk.',
    )
    expect(dialog.textContent).toContain(
      'Anything committed, staged or migrated since then is lost',
    )
    // What the backup brings back, as recorded when it was taken.
    expect(dialog.textContent).toContain('The backup has 2 commits and is clustered.')
    expect(fake.callsOf('restoreBackup')).toHaveLength(0)

    fireEvent.click(within(dialog).getByRole('button', { name: 'Restore' }))
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(fake.last('restoreBackup').params).toEqual({ id: backup.id })
    await act(async () => fake.last('restoreBackup').resolve(makeSummary({ commits: 2 })))
    expect(useRepoStore.getState().summary?.commits).toBe(2)
  })

  it('does nothing when the restore is cancelled in the dialog', async () => {
    await act(async () => render(<BackupsScreen />))

    fireEvent.click(screen.getByRole('button', { name: 'Restore' }))
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Cancel' }))

    expect(screen.queryByRole('dialog')).toBeNull()
    expect(fake.callsOf('restoreBackup')).toHaveLength(0)
  })

  it('asks before deleting', async () => {
    await act(async () => render(<BackupsScreen />))

    fireEvent.click(screen.getByRole('button', { name: 'Delete' }))
    const dialog = screen.getByRole('dialog', { name: 'Delete this backup?' })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }))

    expect(fake.last('deleteBackup').params).toEqual({ id: backup.id })
    await act(async () => fake.last('deleteBackup').resolve([]))
    expect(screen.getByText('No backups yet.')).toBeTruthy()
  })

  it('creates a backup through the core', async () => {
    await act(async () => render(<BackupsScreen />))

    fireEvent.click(screen.getByRole('button', { name: 'Create backup' }))

    expect(fake.callsOf('createBackup')).toHaveLength(1)
  })
})
