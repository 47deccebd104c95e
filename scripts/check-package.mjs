#!/usr/bin/env node
/**
 * Offline packaging check of Coral Desktop.
 *
 * Builds with electron-vite, packs a Linux `dir` target with electron-builder against a stub
 * Electron distribution (no Electron binary can be downloaded here), then reads the resulting
 * app.asar and fails (exit 1) unless it holds main, the CommonJS preload, the core's utility
 * entry, the renderer and the WASM runtime dependencies. This checks the `files` globs,
 * `asarUnpack`, `extraMetadata` and the build outputs, not that Electron starts. Before packing,
 * it boots the built main against a fake `electron` and the built utility entry against a fake
 * `process.parentPort` (electron/build/smoke/), so a bundle that cannot find its preload or
 * worker, or a utility that cannot serve a port, fails here too.
 *
 * Usage: node scripts/check-package.mjs [--skip-build] [--keep]
 *   --skip-build  reuse the existing out/ folder
 *   --keep        keep the temporary output folder and print its path
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import asar from '@electron/asar'

const ELECTRON_VERSION = '45.6.0'
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = new Set(process.argv.slice(2))
const started = Date.now()

/** Runs a command in the project root; exits 1 with its name when it fails. */
function run(command, commandArgs, env = {}) {
  console.log(`$ ${command} ${commandArgs.join(' ')}`)
  const result = spawnSync(command, commandArgs, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  })
  if (result.status !== 0) {
    console.error(
      `check-package: ${command} ${commandArgs[0] ?? ''} failed (exit ${result.status})`,
    )
    process.exit(1)
  }
}

/** A fake Electron distribution: enough for electron-builder's `dir` target. */
function createStubElectronDist(dir) {
  fs.mkdirSync(path.join(dir, 'resources'), { recursive: true })
  const binary = path.join(dir, 'electron')
  fs.writeFileSync(binary, '#!/bin/sh\necho "stub Electron: packaging check only" >&2\nexit 1\n')
  fs.chmodSync(binary, 0o755)
  fs.writeFileSync(path.join(dir, 'version'), ELECTRON_VERSION)
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'stub\n')
}

// Build
if (!args.has('--skip-build')) {
  run('npx', ['electron-vite', 'build'])
}

// Smoke the built bundles under plain Node
const problems = []
function smoke(importFile, entry, env = {}) {
  const result = spawnSync(process.execPath, ['--import', importFile, entry], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ...env },
  })
  const lines = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('SMOKE '))
    .map((line) => JSON.parse(line.slice('SMOKE '.length)))
  if (result.status !== 0) {
    problems.push(`${entry} exited with ${result.status ?? result.signal}: ${result.stderr.trim()}`)
  }
  return lines
}
const [booted] = smoke('./electron/build/smoke/register-fake-electron.mjs', 'out/main/index.js')
if (!booted?.forked?.exists) {
  problems.push(`main forks a utility entry that does not exist: ${booted?.forked?.path}`)
}
if (!booted?.preload?.exists) {
  problems.push(`main loads a preload that does not exist: ${booted?.preload?.path}`)
}
if (booted?.loaded !== 'app://coral/index.html') {
  problems.push(`main loads ${booted?.loaded}, not app://coral/index.html`)
}
const served = smoke('./electron/build/smoke/fake-parent-port.mjs', 'out/main/core-utility.js')
if (served[0]?.kind !== 'ready' || served[1]?.kind !== 'response') {
  problems.push(`the utility entry did not serve a port: ${JSON.stringify(served)}`)
}
// An import of a Python-Coral repository: the bundle must find its HDF5 reader thread
const pythonRepo = fs.mkdtempSync(path.join(os.tmpdir(), 'coral-smoke-import-'))
fs.cpSync(path.join(root, '../shared/fixtures/coral-py/v1.1'), pythonRepo, { recursive: true })
const imported = smoke('./electron/build/smoke/fake-parent-port.mjs', 'out/main/core-utility.js', {
  CORAL_SMOKE_REQUEST: JSON.stringify({
    method: 'importPythonCoral',
    params: { path: pythonRepo },
  }),
})
fs.rmSync(pythonRepo, { recursive: true, force: true })
const importResponse = imported.find((message) => message.kind === 'response')
if (!(importResponse?.ok && importResponse.verified > 0)) {
  problems.push(
    `the utility entry could not import a Python-Coral repository: ${JSON.stringify(importResponse)}`,
  )
}

// Pack against the stub
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'coral-package-'))
const stub = path.join(work, 'electron-dist')
const output = path.join(work, 'release')
createStubElectronDist(stub)
run(
  'npx',
  [
    'electron-builder',
    '--linux',
    'dir',
    `-c.electronDist=${stub}`,
    `-c.electronVersion=${ELECTRON_VERSION}`,
    `-c.directories.output=${output}`,
    '--publish',
    'never',
  ],
  // The stub has no fuse wire to flip.
  { CORAL_FUSES: 'off' },
)

// Inspect the asar
const resources = path.join(output, 'linux-unpacked', 'resources')
const archive = path.join(resources, 'app.asar')
if (!fs.existsSync(archive)) {
  console.error(`check-package: no asar at ${archive}`)
  process.exit(1)
}
const entries = new Set(
  asar.listPackage(archive, { isPack: false }).map((p) => p.replaceAll('\\', '/')),
)
const required = [
  '/package.json',
  '/out/main/index.js',
  '/out/main/core-utility.js',
  '/out/main/h5-worker.js',
  '/out/preload/index.cjs',
  '/out/renderer/index.html',
  '/node_modules/hash-wasm/package.json',
]
for (const entry of required) {
  if (!entries.has(entry)) {
    problems.push(`missing ${entry}`)
  }
}

// The packaged package.json must start main; the preload must be CommonJS for the sandbox
const manifest = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8'))
if (manifest.main !== 'out/main/index.js') {
  problems.push(`package.json main is ${JSON.stringify(manifest.main)}, not out/main/index.js`)
}
if (entries.has('/out/preload/index.cjs')) {
  const preload = asar.extractFile(archive, 'out/preload/index.cjs').toString('utf8')
  if (/^\s*(import|export)\s/m.test(preload)) {
    problems.push(
      'out/preload/index.cjs contains ES module syntax; a sandboxed preload must be CommonJS',
    )
  }
}

// WASM runtime dependencies are unpacked next to the asar
const unpacked = path.join(resources, 'app.asar.unpacked', 'node_modules')
for (const wasm of ['@bokuweb/zstd-wasm/dist/common/zstd.wasm', 'h5wasm/package.json']) {
  if (!fs.existsSync(path.join(unpacked, wasm))) {
    problems.push(`missing unpacked node_modules/${wasm}`)
  }
}
// The optional native zstd, when this install built it, ships unpacked (a .node file cannot load from an asar)
const nativeZstd = 'zstd-napi/build/Release/binding.node'
if (
  fs.existsSync(path.join(root, 'node_modules', nativeZstd)) &&
  !fs.existsSync(path.join(unpacked, nativeZstd))
) {
  problems.push(`missing unpacked node_modules/${nativeZstd}`)
}
// Renderer-only dependencies are bundled, so they must not ship again
for (const bundled of ['react', 'recharts']) {
  if (entries.has(`/node_modules/${bundled}/package.json`)) {
    problems.push(`node_modules/${bundled} is packaged although vite bundles it`)
  }
}

// Report
const seconds = ((Date.now() - started) / 1000).toFixed(1)
if (args.has('--keep') || problems.length > 0) {
  console.log(`check-package: output kept in ${output}`)
} else {
  fs.rmSync(work, { recursive: true, force: true })
}
if (problems.length > 0) {
  console.error(`check-package: FAILED after ${seconds} s`)
  for (const problem of problems) {
    console.error(`  - ${problem}`)
  }
  process.exit(1)
}
console.log(`check-package: OK in ${seconds} s (${entries.size} asar entries)`)
