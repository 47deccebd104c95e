/**
 * The bridge the stores use, set once at start-up.
 *
 * Store actions call `getBridge().request(...)`; components never do. Tests
 * install a fake with `setBridge`.
 */
import type { Bridge } from './bridge'

let current: Bridge | null = null

/** Installs the bridge every store action uses (replaces any earlier one). */
export function setBridge(bridge: Bridge | null): void {
  current = bridge
}

/** The installed bridge; throws when start-up has not installed one yet. */
export function getBridge(): Bridge {
  if (current === null) {
    // A programming error: main.tsx installs the bridge before the first render.
    throw Object.assign(new Error('The connection to the Coral core is not ready yet.'), {
      code: 'Internal',
    })
  }
  return current
}
