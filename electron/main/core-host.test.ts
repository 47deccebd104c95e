import { afterEach, describe, expect, it, vi } from 'vitest'

import { createCoreHost, type CoreHostOptions } from './core-host.js'
import { silentLogger } from './log.js'
import {
  createFakeUtilityProcess,
  FakeMessageChannelMain,
  FakeWebContents,
} from './testing/fake-electron.js'

function setup(options: Partial<CoreHostOptions> = {}) {
  const { utilityProcess, children } = createFakeUtilityProcess()
  let clock = 0
  const host = createCoreHost({
    utilityProcess: utilityProcess as unknown as CoreHostOptions['utilityProcess'],
    MessageChannelMain: FakeMessageChannelMain as unknown as CoreHostOptions['MessageChannelMain'],
    workerPath: '/app/out/main/core-utility.js',
    restartDelayMs: 500,
    now: () => clock,
    log: silentLogger,
    ...options,
  })
  return { host, children, utilityProcess, advanceClock: (ms: number) => (clock += ms) }
}

/** The ports a window received, in order. */
const portsOf = (contents: FakeWebContents) =>
  contents.posted.filter((p) => p.channel === 'coral:core-port').map((p) => p.transfer[0])

afterEach(() => {
  vi.useRealTimers()
})

describe('electron/main/core-host', () => {
  it('forks the utility process as the coral-core service with piped output', () => {
    const { host, utilityProcess } = setup()

    host.start()

    expect(utilityProcess.fork).toHaveBeenCalledWith('/app/out/main/core-utility.js', [], {
      serviceName: 'coral-core',
      stdio: 'pipe',
    })
  })

  it('gives each window its own channel: port1 to the core, port2 to the window', () => {
    const { host, children } = setup()
    const a = new FakeWebContents()
    const b = new FakeWebContents()
    host.start()

    host.connect(a)
    host.connect(b)

    const child = children[0]!
    expect(child.messages.map((m) => m.message)).toEqual([
      { type: 'coral:connect', connectionId: 1 },
      { type: 'coral:connect', connectionId: 2 },
    ])
    const [toCoreA, toCoreB] = child.messages.map(
      (m) => m.transfer[0] as { id: number; end: string },
    )
    const [toA] = portsOf(a) as Array<{ id: number; end: string }>
    const [toB] = portsOf(b) as Array<{ id: number; end: string }>
    expect([toCoreA?.end, toA?.end]).toEqual(['port1', 'port2'])
    expect(toCoreA?.id).toBe(toA?.id)
    expect(toCoreB?.id).toBe(toB?.id)
    expect(toA?.id).not.toBe(toB?.id)
  })

  it('holds connections made before start and serves them once started', () => {
    const { host, children } = setup()
    const win = new FakeWebContents()

    host.connect(win)
    expect(portsOf(win)).toHaveLength(0)
    host.start()

    expect(portsOf(win)).toHaveLength(1)
    expect(children[0]!.messages).toHaveLength(1)
  })

  it('on a crash tells every window, restarts the core and sends fresh ports', () => {
    vi.useFakeTimers()
    const { host, children } = setup()
    const win = new FakeWebContents()
    host.start()
    host.connect(win)

    children[0]!.exit(134)

    expect(win.sent).toEqual([
      {
        channel: 'coral:core-restarted',
        args: [
          {
            reason: 'The core process exited unexpectedly (code 134). It is being restarted.',
            restarting: true,
          },
        ],
      },
    ])
    expect(children).toHaveLength(1)
    vi.advanceTimersByTime(500)
    expect(children).toHaveLength(2)
    const fresh = children[1]!.messages[0]!.transfer[0] as { id: number }
    const ports = portsOf(win) as Array<{ id: number }>
    expect(ports).toHaveLength(2)
    expect(ports[1]!.id).toBe(fresh.id)
    expect(ports[1]!.id).not.toBe(ports[0]!.id)
  })

  it('skips windows that were destroyed or disconnected', () => {
    vi.useFakeTimers()
    const { host, children } = setup()
    const gone = new FakeWebContents()
    const closed = new FakeWebContents()
    const alive = new FakeWebContents()
    host.start()
    host.connect(gone)
    host.connect(closed)
    host.connect(alive)
    gone.destroyed = true
    host.disconnect(closed.id)

    children[0]!.exit(1)
    vi.advanceTimersByTime(500)

    expect(gone.sent).toHaveLength(0)
    expect(closed.sent).toHaveLength(0)
    expect(portsOf(alive)).toHaveLength(2)
    expect(children[1]!.messages).toHaveLength(1)
  })

  it('gives up after maxRestarts crashes in the window, and retries when a window reconnects', () => {
    vi.useFakeTimers()
    const { host, children } = setup({ maxRestarts: 2, restartWindowMs: 60_000 })
    const win = new FakeWebContents()
    host.start()
    host.connect(win)

    children[0]!.exit(1)
    vi.advanceTimersByTime(500)
    children[1]!.exit(1)
    vi.advanceTimersByTime(500)
    children[2]!.exit(1)
    vi.advanceTimersByTime(5_000)

    expect(children).toHaveLength(3)
    const last = win.sent.at(-1)!.args[0] as { reason: string; restarting: boolean }
    expect(last.restarting).toBe(false)
    expect(last.reason).toContain('was not restarted')
    expect(host.pid).toBeUndefined()

    host.connect(win)

    expect(children).toHaveLength(4)
    expect(portsOf(win)).toHaveLength(4)
  })

  it('forgets crashes older than the restart window', () => {
    vi.useFakeTimers()
    const { host, children, advanceClock } = setup({ maxRestarts: 1, restartWindowMs: 10_000 })
    host.start()

    children[0]!.exit(1)
    vi.advanceTimersByTime(500)
    advanceClock(20_000)
    children[1]!.exit(1)
    vi.advanceTimersByTime(500)

    expect(children).toHaveLength(3)
  })

  it('at quit asks the core to shut down and resolves when it exits', async () => {
    const { host, children } = setup()
    host.start()

    const outcome = await host.stop()

    expect(outcome).toBe('exited')
    expect(children[0]!.messages.at(-1)?.message).toEqual({ type: 'coral:shutdown' })
    expect(children[0]!.killed).toBe(false)
  })

  it('at quit waits the shutdown timeout, then kills a core that does not exit', async () => {
    vi.useFakeTimers()
    const { host, children } = setup({ shutdownTimeoutMs: 5_000 })
    host.start()
    children[0]!.exitsOnShutdown = false

    const stopping = host.stop()
    await vi.advanceTimersByTimeAsync(4_999)
    expect(children[0]!.killed).toBe(false)
    await vi.advanceTimersByTimeAsync(1)

    expect(await stopping).toBe('killed')
    expect(children[0]!.killed).toBe(true)
  })

  it('does not restart a core that exits during quit, nor one whose restart was pending', async () => {
    vi.useFakeTimers()
    const { host, children } = setup()
    const win = new FakeWebContents()
    host.start()
    host.connect(win)
    children[0]!.exit(1)

    const outcome = await host.stop()
    vi.advanceTimersByTime(5_000)

    expect(outcome).toBe('not-running')
    expect(children).toHaveLength(1)
    host.connect(win)
    expect(children).toHaveLength(1)
  })
})
