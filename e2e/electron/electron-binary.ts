/**
 * Finds the Electron binary that `npx install-electron` puts under node_modules/electron.
 *
 * NOTE: never `require('electron')` here: from Electron 42 on that starts a download, which
 * fails offline. The package records the binary's path inside `dist/` in `path.txt`.
 */
import fs from 'node:fs'
import path from 'node:path'

/** The project root (two levels above this folder). */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..')

/** Why Electron specs skip when the binary is absent. */
export const NO_ELECTRON_REASON =
  'Electron binary not installed (node_modules/electron/dist missing); run `npx install-electron` on a machine with network'

/** Absolute path of the Electron executable, or null when it is not installed. */
export function findElectronBinary(root: string = PROJECT_ROOT): string | null {
  const packageDir = path.join(root, 'node_modules', 'electron')
  const pathFile = path.join(packageDir, 'path.txt')
  const distDir = path.join(packageDir, 'dist')
  if (!fs.existsSync(pathFile) || !fs.existsSync(distDir)) {
    return null
  }
  const executable = path.join(distDir, fs.readFileSync(pathFile, 'utf8').trim())
  return fs.existsSync(executable) ? executable : null
}
