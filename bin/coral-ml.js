#!/usr/bin/env node
// Entry point of the coral-ml command. The TypeScript sources are compiled to
// dist/ by `npm run build:core` (run automatically by `npm ci` through the
// package's prepare script).
import { existsSync } from 'node:fs'

const entry = new URL('../dist/core/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('error: coral-ml is not built; run "npm run build:core" in the checkout\n')
  process.exit(70)
}
// `coral-ml log | head` closes the pipe early: that is the reader being done,
// not an error, so stop quietly the way other Unix tools do.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})
const { runCli } = await import(entry.href)
process.exitCode = await runCli(process.argv.slice(2))
