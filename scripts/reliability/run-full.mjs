#!/usr/bin/env node
/**
 * The full reliability run (`npm run reliability`, after `npm run build:core`):
 * every harness at the sizes docs/RELIABILITY.md reports, one after another
 * (they are CPU-bound; running them side by side only slows each). Each
 * step's output goes to the terminal and to reliability-run/<step>.txt under
 * the system temporary folder; the exit status is 1 when any step failed.
 *
 *   node scripts/reliability/run-full.mjs [--only torture,fuzz-formats,...] [--seed S]
 *
 * Steps: torture (60 migrate kill points, 20 per other operation),
 * fuzz-formats (10,000 cases per format), fuzz-stores-coral (1,000 cases per
 * store file, 10,000 in all), fuzz-stores-python (10,000 per Python-Coral
 * file kind), faults (8 ENOSPC points per operation, EROFS, 8 EIO points per
 * operation and call class), tests (concurrency, path escapes, the app's
 * security tests, the coral-ml ui server).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const argv = process.argv.slice(2)
const flag = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined)
const seed = flag('--seed') ?? '1'
const only = flag('--only')?.split(',')

const node = (script, ...args) => [
  process.execPath,
  path.join(root, 'dist', 'scripts', script),
  ...args,
]
// Coral's own store files: every store-fuzz target but the Python-Coral ones,
// which get their own steps below. (`npm run reliability` builds dist/ first.)
const { STORE_TARGETS } = await import(path.join(root, 'dist', 'scripts', 'fuzz-stores.js'))
const coralTargets = STORE_TARGETS.filter((t) => t !== 'py-json' && t !== 'hdf5')
const steps = [
  ['torture', node('torture.js', '--migrate-kills', '60', '--kills-per-op', '20', '--seed', seed)],
  ['fuzz-formats', node('fuzz-formats.js', '--cases', '10000', '--seed', seed)],
  [
    'fuzz-stores-coral',
    node(
      'fuzz-stores.js',
      '--cases',
      '1000',
      '--seed',
      seed,
      ...coralTargets.flatMap((t) => ['--target', t]),
    ),
  ],
  [
    'fuzz-stores-python',
    node(
      'fuzz-stores.js',
      '--cases',
      '10000',
      '--seed',
      seed,
      '--target',
      'py-json',
      '--target',
      'hdf5',
    ),
  ],
  ['faults', node('reliability/faults.js', '--points', '8', '--eio-points', '8')],
  [
    'tests',
    [
      process.execPath,
      path.join(root, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      'core/repo/concurrency.reliability.test.ts',
      'core/pycoral/path-escape.reliability.test.ts',
      'core/cli/ui-server.test.ts',
      'electron',
    ],
  ],
]

const out = path.join(os.tmpdir(), 'reliability-run')
mkdirSync(out, { recursive: true })
let failed = 0
for (const [name, command] of steps) {
  if (only && !only.includes(name)) continue
  const started = Date.now()
  process.stderr.write(`\n== ${name}: ${command.slice(1).join(' ')}\n`)
  const run = spawnSync(command[0], command.slice(1), {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 28,
  })
  const text = run.stdout.toString()
  process.stdout.write(text)
  writeFileSync(path.join(out, `${name}.txt`), text)
  const seconds = ((Date.now() - started) / 1000).toFixed(0)
  process.stderr.write(`== ${name}: exit ${run.status} in ${seconds} s\n`)
  if (run.status !== 0) failed++
}
process.stderr.write(`\n${failed} of the steps failed; outputs in ${out}\n`)
process.exit(failed > 0 ? 1 : 0)
