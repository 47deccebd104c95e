/**
 * Entry point of the core worker process.
 *
 * Started by `startCoreWorker` (a Node child process, under `coral-ml ui`
 * and in tests) or by Electron main (`utilityProcess.fork`); it detects which
 * and serves the real handlers until its host leaves.
 */
import { createCoreHandlers } from './handlers.js'
import { runWorker } from './transports/run-worker.js'

runWorker(createCoreHandlers())
