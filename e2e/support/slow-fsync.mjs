/**
 * Test support, loaded into a `coral-ml ui` server with `node --import`
 * (through NODE_OPTIONS, so its forked core worker loads it too): every
 * `fs.fsync` completes `CORAL_E2E_FSYNC_DELAY_MS` milliseconds late, as on a
 * slow disk.
 *
 * The cancel tests click Cancel once the migration reports its write phase.
 * On a fast machine that phase of the `lm` repository lasts a few tenths of
 * a second, and whether the click lands inside it was a race the test could
 * lose. Each object the phase rewrites waits for one fsync, so with this
 * delay the phase lasts seconds wherever it runs. Nothing here is part of Coral.
 */
import fs from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'

const delayMs = Number(process.env['CORAL_E2E_FSYNC_DELAY_MS'] ?? 0)

if (delayMs > 0) {
  const fsync = fs.fsync
  fs.fsync = (fd, callback) => fsync(fd, (error) => setTimeout(() => callback(error), delayMs))
  syncBuiltinESMExports()
}
