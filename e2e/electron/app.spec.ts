/**
 * The desktop app starts, shows the Welcome screen, and its page has no Node.
 *
 * Runs wherever an Electron binary is installed (a developer laptop); skipped otherwise.
 */
import fs from 'node:fs'
import path from 'node:path'

import { _electron as electron, expect, test } from '@playwright/test'

import { findElectronBinary, NO_ELECTRON_REASON, PROJECT_ROOT } from './electron-binary.js'

const executablePath = findElectronBinary()
const mainScript = path.join(PROJECT_ROOT, 'out', 'main', 'index.js')

test.describe('Coral Desktop', () => {
  test.skip(executablePath === null, NO_ELECTRON_REASON)

  test('opens the Welcome screen in an isolated renderer without Node', async () => {
    if (!fs.existsSync(mainScript)) {
      throw new Error(`${mainScript} is missing: run \`npx electron-vite build\` first`)
    }
    // Chromium refuses to run as root without --no-sandbox (containers, CI).
    const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : []
    const app = await electron.launch({
      executablePath: executablePath!,
      args: [...rootArgs, mainScript],
      cwd: PROJECT_ROOT,
    })
    try {
      const version = await app.evaluate(({ app: electronApp }) => electronApp.getVersion())
      const page = await app.firstWindow()

      await expect(page.getByRole('button', { name: 'Open repository' }).first()).toBeVisible()
      const globals = await page.evaluate(() => {
        const scope = globalThis as Record<string, unknown>
        const host = scope['coralHost'] as { kind?: string; version?: string } | undefined
        return {
          require: typeof scope['require'],
          process: typeof scope['process'],
          hostKind: host?.kind,
          hostVersion: host?.version,
        }
      })
      expect(globals).toEqual({
        require: 'undefined',
        process: 'undefined',
        hostKind: 'electron',
        hostVersion: version,
      })
      expect(page.url()).toBe('app://coral/index.html')
    } finally {
      await app.close()
    }
  })
})
