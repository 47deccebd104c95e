/**
 * Disk full and read-only file system, injected on a real tmpfs (see
 * faults.ts): one ENOSPC point and one EROFS case each for add+commit and
 * for migrate. Skipped, with the reason, where this process cannot mount a
 * tmpfs (not root, or a container without CAP_SYS_ADMIN). Needs the CLI built.
 */
import { describe, expect, it } from 'vitest'

import { canMountTmpfs, formatFaultReport, runFaults } from './faults.js'

const mountable = canMountTmpfs()

describe('injected I/O faults', () => {
  it.skipIf(!mountable.ok)(
    `fails with a clear IoError and loses nothing${mountable.ok ? '' : ` (skipped: ${mountable.reason})`}`,
    async () => {
      const report = await runFaults({ points: 1 })

      expect(report.cases.length).toBe(4)
      expect(report.failures, formatFaultReport(report)).toBe(0)
    },
    300_000,
  )
})
