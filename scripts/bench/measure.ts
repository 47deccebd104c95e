/**
 * Measurement helpers shared by the benchmarks: running a phase in a fresh
 * Node process (so its peak memory is its own) and running a baseline
 * command under /usr/bin/time for its wall time and peak memory.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** What a measured phase reports. */
export interface PhaseResult {
  /** Wall time of the measured work, excluding process start-up. */
  ms: number
  /** Peak resident set size of the process, in bytes. */
  peakRssBytes: number
  [key: string]: unknown
}

/** Runs `node <this bench> --phase <name> <args>` and parses its JSON result. */
export function runPhase(script: string, phase: string, args: string[]): PhaseResult {
  const result = spawnSync(process.execPath, [fileURLToPath(script), '--phase', phase, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  if (result.status !== 0) {
    throw new Error(`phase ${phase} failed with status ${result.status}`)
  }
  return JSON.parse(result.stdout) as PhaseResult
}

/** Prints a phase result on stdout for the parent (call at the end of a phase). */
export function reportPhase(result: Omit<PhaseResult, 'peakRssBytes'>): void {
  process.stdout.write(
    JSON.stringify({ ...result, peakRssBytes: process.resourceUsage().maxRSS * 1024 }),
  )
}

/**
 * Runs a shell pipeline; returns wall time and, when /usr/bin/time exists,
 * the peak memory of the measured command.
 */
export function runBaseline(command: string): {
  ms: number
  peakRssBytes: number | null
  stdout: string
} {
  const timed = existsSync('/usr/bin/time')
  const memoryFile = path.join(os.tmpdir(), `coral-bench-time-${process.pid}`)
  const started = performance.now()
  const result = spawnSync(
    'bash',
    ['-c', timed ? `/usr/bin/time -f '%M' -o ${memoryFile} bash -c ${quote(command)}` : command],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  )
  const ms = performance.now() - started
  if (result.status !== 0) {
    throw new Error(`baseline failed: ${command}\n${result.stderr}`)
  }
  const kb = timed ? Number.parseInt(readFileSync(memoryFile, 'utf8').trim(), 10) : NaN
  rmSync(memoryFile, { force: true })
  return { ms, peakRssBytes: Number.isFinite(kb) ? kb * 1024 : null, stdout: result.stdout }
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/** Formats a ratio a/b with its two operands. */
export function ratio(a: number, b: number): string {
  return (a / b).toFixed(3)
}
