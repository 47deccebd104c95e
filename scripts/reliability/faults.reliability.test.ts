/**
 * Injected I/O faults (see faults.ts). Disk full and a read-only file system
 * on a real tmpfs: one ENOSPC point and one EROFS case each for add+commit
 * and for migrate, skipped, with the reason, where this process cannot mount
 * a tmpfs (not root, or a container without CAP_SYS_ADMIN). EIO through the
 * fault-injecting layer: the first and the last write-class and read-class
 * call of add, commit, migrate, backup create and gc. Needs the CLI built.
 */
import { describe, expect, it } from 'vitest'

import { canMountTmpfs, formatFaultReport, runFaults } from './faults.js'

const mountable = canMountTmpfs()

describe('injected I/O faults', () => {
  it.skipIf(!mountable.ok)(
    `fails with a clear IoError and loses nothing on a full or read-only disk${mountable.ok ? '' : ` (skipped: ${mountable.reason})`}`,
    async () => {
      const report = await runFaults({ points: 1, only: 'tmpfs' })

      expect(report.cases.length).toBe(4)
      expect(report.failures, formatFaultReport(report)).toBe(0)
    },
    300_000,
  )

  it('fails with a clear IoError and loses nothing when a read or write returns EIO', async () => {
    const report = await runFaults({ points: 2, only: 'eio' })

    expect(report.cases.length).toBeGreaterThanOrEqual(16)
    expect(report.cases.every((c) => c.fault === 'EIO')).toBe(true)
    expect(report.failures, formatFaultReport(report)).toBe(0)
  }, 300_000)
})
