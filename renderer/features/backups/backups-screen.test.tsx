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

  it('asks before restoring, says what will change, and restores only on confirm', async () => {
    await act(async () => render(<BackupsScreen />))

    fireEvent.click(screen.getByRole('button', { name: 'Restore' }))

    const dialog = screen.getByRole('dialog', { name: 'Restore this backup?' })
    expect(dialog.textContent).toContain(
      `The current store is replaced by the backup taken at ${formatTime(backup.createdAt)}`,
    )
    expect(dialog.textContent).toContain(
      'A backup of the current state is kept until the restore completes.',
    )
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
