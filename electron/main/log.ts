/**
 * The small logger the main-process modules receive.
 *
 * Main writes to the console with a component tag (`[core-host] ...`). Tests pass a silent
 * logger. Logging never throws.
 */
export interface Logger {
  info(message: string): void
  warn(message: string, error?: unknown): void
  error(message: string, error?: unknown): void
}

/** A logger that prints `[component] message` to the console. */
export function createConsoleLogger(component: string): Logger {
  const tag = `[${component}]`
  return {
    info: (message) => console.log(tag, message),
    warn: (message, error) => console.warn(tag, message, ...(error === undefined ? [] : [error])),
    error: (message, error) => console.error(tag, message, ...(error === undefined ? [] : [error])),
  }
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
}
