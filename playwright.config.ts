/**
 * Playwright end-to-end projects.
 *
 * - `web`: the renderer served by `coral-ml ui`, in Debian's Chromium (no browser download).
 * - `electron`: the real desktop app through `_electron.launch`; each spec skips itself when
 *   no Electron binary is installed (`node_modules/electron/dist`), as on the offline CI machine.
 * Build first: `npx electron-vite build`.
 */
import { defineConfig } from '@playwright/test'

/** Chromium flags for a headless, quiet, offline run (root in a container needs --no-sandbox). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

export default defineConfig({
  outputDir: 'test-results',
  reporter: [['list']],
  fullyParallel: false,
  workers: 1,
  forbidOnly: process.env['CI'] === 'true',
  retries: 0,
  timeout: 60_000,
  projects: [
    {
      name: 'web',
      testDir: 'e2e/web',
      use: {
        browserName: 'chromium',
        headless: true,
        launchOptions: {
          executablePath: process.env['CORAL_CHROMIUM'] ?? '/usr/bin/chromium',
          args: CHROMIUM_ARGS,
        },
        trace: 'retain-on-failure',
      },
    },
    {
      name: 'electron',
      testDir: 'e2e/electron',
      timeout: 120_000,
      use: { trace: 'retain-on-failure' },
    },
  ],
})
