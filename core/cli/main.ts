/**
 * `coral-ml`: the command line over the Coral core.
 *
 * Global options: `-C <repo>`, `--json`, `--verbose`, `--help`, `--version`.
 * Errors print one line on stderr (`error: <message>`) and exit with the
 * code documented in docs/CLI.md; the stack trace appears only with
 * `--verbose`. Ctrl-C cancels the running command through an AbortSignal;
 * a second Ctrl-C exits at once.
 */
import { parseArgs } from 'node:util'

import { CoralError, toCoralError } from '../errors.js'
import type { CliContext, CommandSpec } from './command.js'
import { COMMANDS } from './commands/index.js'
import { createProgressBar } from './progress-bar.js'

const VERSION = '0.1.0'

/** Runs the CLI with `argv` (without node and script) and returns the exit status. */
export async function runCli(argv: string[]): Promise<number> {
  // Global options come before the command name.
  let repoPath = process.cwd()
  let json = false
  let verbose = false
  let index = 0
  while (index < argv.length && argv[index]!.startsWith('-')) {
    const flag = argv[index]!
    if (flag === '-C') {
      const value = argv[index + 1]
      if (value === undefined) {
        return usageError('-C needs a repository path')
      }
      repoPath = value
      index += 2
    } else if (flag === '--json') {
      json = true
      index++
    } else if (flag === '--verbose' || flag === '-v') {
      verbose = true
      index++
    } else if (flag === '--help' || flag === '-h') {
      process.stdout.write(helpText())
      return 0
    } else if (flag === '--version') {
      process.stdout.write(`coral-ml ${VERSION}\n`)
      return 0
    } else {
      return usageError(`unknown option ${flag}; see coral-ml --help`)
    }
  }
  const name = argv[index]
  if (name === undefined) {
    process.stdout.write(helpText())
    return 0
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    return usageError(`unknown command "${name}"; see coral-ml --help`)
  }
  const rest = argv.slice(index + 1)
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`)
    return 0
  }

  let parsed
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
        C: { type: 'string', short: 'C' },
        ...command.options,
      },
      allowPositionals: true,
      strict: true,
    })
  } catch (error) {
    return usageError(
      `${(error as Error).message.split('\n')[0]}\nusage: ${command.usage.split('\n')[0]}`,
    )
  }
  json ||= parsed.values.json === true
  verbose ||= parsed.values.verbose === true
  if (typeof parsed.values.C === 'string') {
    repoPath = parsed.values.C
  }

  const controller = new AbortController()
  let interrupts = 0
  const onSignal = () => {
    interrupts++
    if (interrupts > 1) {
      process.stderr.write('\nerror: interrupted twice; exiting now\n')
      process.exit(130)
    }
    process.stderr.write('\nCancelling... (press Ctrl-C again to exit at once)\n')
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const ctx = createContext({ repoPath, json, verbose, signal: controller.signal })
  try {
    return (await command.run(ctx, { values: parsed.values, positionals: parsed.positionals })) ?? 0
  } catch (error) {
    const coralError = toCoralError(error)
    process.stderr.write(`\r\x1b[2K`.repeat(process.stderr.isTTY ? 1 : 0))
    process.stderr.write(`error: ${coralError.message}\n`)
    if (verbose) {
      process.stderr.write(
        `${(coralError.cause as Error | undefined)?.stack ?? coralError.stack}\n`,
      )
    } else if (coralError.code === 'Internal') {
      process.stderr.write(
        '(this is a bug in coral-ml; run again with --verbose for the stack trace)\n',
      )
    }
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ error: { code: coralError.code, message: coralError.message, data: coralError.data } })}\n`,
      )
    }
    return coralError.exitCode
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

function createContext(options: {
  repoPath: string
  json: boolean
  verbose: boolean
  signal: AbortSignal
}): CliContext {
  const showProgress = Boolean(process.stderr.isTTY) && !options.json
  return {
    ...options,
    // Block bodies: `stream.write` returns a boolean, and a command that ends
    // with `return ctx.out(...)` must not hand it on as its exit status.
    out: (text) => {
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
    },
    err: (text) => {
      process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
    },
    printJson: (value) => {
      process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
    },
    progress: (label) => createProgressBar(label, process.stderr, showProgress),
  }
}

function usageError(message: string): number {
  process.stderr.write(`error: ${message}\n`)
  return new CoralError('InvalidArgument', message).exitCode
}

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c: CommandSpec) => c.name.length))
  return [
    'coral-ml: version control for neural-network weights',
    '',
    'usage: coral-ml [-C <repo>] [--json] [--verbose] <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "coral-ml <command> --help" for a command\'s options. Exit codes: docs/CLI.md.',
    '',
  ].join('\n')
}
