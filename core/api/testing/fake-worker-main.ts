/**
 * Test-only worker entry: the real transport and dispatcher over fake handlers.
 *
 * Tests fork it with `execArgv: ['--import', 'tsx']`.
 */
import { runWorker } from '../transports/run-worker.js'
import { createFakeHandlers } from './fake-handlers.js'

runWorker(createFakeHandlers())
