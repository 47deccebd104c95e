import { spawnSync } from 'node:child_process'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '..')
const enabled = process.env['CORAL_PACKAGE_CHECK'] === '1'

// Opt-in: builds the app and packs it (about 20-40 s on 2 cores). Run with CORAL_PACKAGE_CHECK=1.
describe.skipIf(!enabled)('electron packaging (CORAL_PACKAGE_CHECK=1)', () => {
  it('packs an asar with main, the CommonJS preload, the core utility and the renderer', () => {
    const result = spawnSync(process.execPath, [path.join(root, 'scripts/check-package.mjs')], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env },
    })

    expect(result.stderr).not.toContain('check-package: FAILED')
    expect(result.stdout).toContain('check-package: OK')
    expect(result.status).toBe(0)
  }, 300_000)
})
