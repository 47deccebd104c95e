/**
 * The command-line entry of a script that is also imported as a module (by
 * tests, or by another script): runs only when it is the file Node started.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** True when `moduleUrl` (a module's `import.meta.url`) is the script Node was started with. */
export function isScriptEntry(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(moduleUrl)
}

/**
 * Runs `main` with the command-line arguments and exits with its status; an
 * error is printed as one line prefixed by `name` and exits 2.
 */
export function runScript(name: string, main: (args: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exit(2)
    },
  )
}
