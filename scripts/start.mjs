#!/usr/bin/env node
// `npm start`: opens Coral Desktop. Where Electron's binary is not installed
// (it is fetched on first use, which fails on machines without that network),
// it says so in one line and serves the same UI to a browser on the demo
// repository instead. Detection reads node_modules/electron's files; it never
// requires 'electron', which would trigger the download.
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const electronDir = path.join(root, 'node_modules', 'electron')
const pathFile = path.join(electronDir, 'path.txt')
const binary = existsSync(pathFile)
  ? path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim())
  : null

const run = (command, args) =>
  spawn(command, args, { cwd: root, stdio: 'inherit' }).on('exit', (code) =>
    process.exit(code ?? 0),
  )

if (binary && existsSync(binary)) {
  run(binary, [root])
} else {
  console.log(
    'Electron binary not installed (run "npx install-electron" where its download works); starting browser mode on the demo repository.',
  )
  run(process.execPath, [path.join(root, 'bin', 'coral-ml.js'), 'ui', '--demo'])
}
