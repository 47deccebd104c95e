import { afterEach, describe, expect, it } from 'vitest'
import { createFakeBridge } from '../test/fake-bridge'
import { resetStores } from '../test/reset-stores'
import { reportError, useAppStore } from './app-store'
import { installBridge } from './install-bridge'

describe('stores/app-store', () => {
  afterEach(resetStores)

  it('maps error codes to advice in the banner', () => {
    reportError({ code: 'ObjectCorrupt', message: 'object 1a2b does not hash to its id' })

    const banner = useAppStore.getState().banner
    expect(banner?.code).toBe('ObjectCorrupt')
    expect(banner?.severity).toBe('error')
    expect(banner?.detail).toBe('object 1a2b does not hash to its id')
  })

  it('mirrors the bridge connection and reports failures while disconnected as connection loss', () => {
    const fake = createFakeBridge()
    const uninstall = installBridge(fake)

    fake.setConnected(false, 'core exited with code 1')
    reportError({ code: 'Internal', message: 'core exited with code 1' })

    expect(useAppStore.getState().connected).toBe(false)
    expect(useAppStore.getState().disconnectReason).toBe('core exited with code 1')
    expect(useAppStore.getState().banner?.code).toBe('ConnectionLost')

    fake.setConnected(true)
    expect(useAppStore.getState().connected).toBe(true)
    uninstall()
  })
})
