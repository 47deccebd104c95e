import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'

import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '..')
const enabled = process.env['CORAL_PACKAGE_CHECK'] !== '0'
// `npm test` builds before it runs vitest; rebuilding here would rewrite out/
// under the other test files that serve it.
const built = existsSync(path.join(root, 'out/main/index.js'))

// Packs the app against a stub Electron (about 7 s here). CORAL_PACKAGE_CHECK=0 skips it.
describe.skipIf(!enabled)('electron packaging', () => {
  it('packs an asar with main, the CommonJS preload, the core utility and the renderer', () => {
    const result = spawnSync(
      process.execPath,
      [path.join(root, 'scripts/check-package.mjs'), ...(built ? ['--skip-build'] : [])],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env },
      },
    )

    expect(result.stderr).not.toContain('check-package: FAILED')
    expect(result.stdout).toContain('check-package: OK')
    expect(result.status).toBe(0)
  }, 300_000)
})
