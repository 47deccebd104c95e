/**
 * `node --import` this file to run the built utility entry (`out/main/core-utility.js`) under
 * plain Node: it plays Electron's `process.parentPort`, connects one port, sends one request
 * (`openRepository` of nothing, or the `{ method, params }` in `CORAL_SMOKE_REQUEST`), prints
 * `SMOKE <FromCore json>` for each message back, then asks for shutdown.
 */
import { EventEmitter } from 'node:events'
import { MessageChannel } from 'node:worker_threads'

const parent = new EventEmitter()
process.parentPort = parent

/** Gives a Node MessagePort the `MessagePortMain` event shape (`{ data }`). */
function asPortMain(port) {
  const events = new EventEmitter()
  port.on('message', (data) => events.emit('message', { data }))
  port.on('close', () => events.emit('close'))
  return Object.assign(events, {
    postMessage: (message) => port.postMessage(message),
    start: () => port.start(),
    close: () => port.close(),
  })
}

// Like Electron, deliver only once the entry listens (the ESM entry loads after this file).
parent.once('newListener', () => setImmediate(start))

function start() {
  const { port1, port2 } = new MessageChannel()
  port2.on('message', (message) => {
    const { kind, ok, error, result } = message
    console.log(
      `SMOKE ${JSON.stringify({ kind, ok, code: error?.code, verified: result?.verified })}`,
    )
    if (message.kind === 'response') {
      parent.emit('message', { data: { type: 'coral:shutdown' }, ports: [] })
      port2.close()
    }
  })
  parent.emit('message', {
    data: { type: 'coral:connect', connectionId: 1 },
    ports: [asPortMain(port1)],
  })
  const { method, params } = process.env.CORAL_SMOKE_REQUEST
    ? JSON.parse(process.env.CORAL_SMOKE_REQUEST)
    : { method: 'openRepository', params: { path: '' } }
  port2.postMessage({ kind: 'request', id: 1, method, params })
}
