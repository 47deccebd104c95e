/**
 * Entry of the core's Electron utility process (built to `out/main/core-utility.js`).
 *
 * Serves the core's real handlers over the MessagePorts main hands out; see
 * `serve-core-ports.ts` and `electron/README.md`.
 */
import { createDispatcher } from '../../core/api/dispatcher.js'
import { createCoreHandlers } from '../../core/api/handlers.js'
import { serveCorePorts, type ParentPortLike } from './serve-core-ports.js'

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort
if (parentPort === undefined) {
  process.stderr.write(
    'core-utility: process.parentPort is missing; start me with utilityProcess.fork\n',
  )
  process.exit(1)
} else {
  serveCorePorts({
    parentPort,
    handlers: createCoreHandlers(),
    createDispatcher,
    exit: (code) => process.exit(code),
    log: (line) => process.stderr.write(`[core-utility ${process.pid}] ${line}\n`),
  })
}
