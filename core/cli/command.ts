/**
 * The shape of a `coral-ml` command.
 *
 * Each command is a `CommandSpec` in `commands/`: its options (for
 * `node:util` parseArgs), its usage line, and `run`, which receives parsed
 * arguments and a `CliContext`. Commands throw `CoralError`s; `main.ts` turns
 * them into one line on stderr and the error's exit status.
 */
import type { ParseArgsConfig } from 'node:util'

import type { ProgressCallback } from '../repo/progress.js'

/** What a command gets from the CLI runtime. */
export interface CliContext {
  /** `-C <path>`, or the current folder. */
  repoPath: string
  /** `--json`: print exactly one JSON document on stdout. */
  json: boolean
  verbose: boolean
  /** Fires on Ctrl-C (SIGINT) or SIGTERM. */
  signal: AbortSignal
  out(text: string): void
  err(text: string): void
  /** Prints one JSON document (only call once, and only with --json). */
  printJson(value: unknown): void
  /**
   * A progress callback drawing a bar on stderr when it is a terminal, and
   * doing nothing otherwise (or with --json).
   */
  progress(label: string): ProgressCallback & { finish(): void }
}

/** Parsed arguments of one command. */
export interface CommandArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>
  positionals: string[]
}

export interface CommandSpec {
  name: string
  /** One line for `coral-ml --help`. */
  summary: string
  /** Usage text shown by `coral-ml <command> --help`. */
  usage: string
  options?: ParseArgsConfig['options']
  /** Returns the exit status (default 0). */
  run(ctx: CliContext, args: CommandArgs): Promise<number | void>
}
