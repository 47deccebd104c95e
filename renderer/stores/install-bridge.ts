/**
 * Connects the stores to a bridge.
 */
import type { Bridge } from '../lib/bridge'
import { setBridge } from '../lib/current-bridge'
import { useAppStore } from './app-store'
import { useRepoStore } from './repo-store'

/**
 * Installs `bridge` for every store and mirrors its connection state; returns an uninstaller.
 *
 * When the connection comes back after a loss (the core crashed and was
 * restarted), the open repository is opened again in the new core.
 */
export function installBridge(bridge: Bridge): () => void {
  setBridge(bridge)
  let wasConnected = true
  const unsubscribe = bridge.onConnectionChange((connected, reason) => {
    useAppStore.getState().setConnection(connected, reason)
    if (connected && !wasConnected) {
      void useRepoStore.getState().reopen()
    }
    wasConnected = connected
  })
  return () => {
    unsubscribe()
    setBridge(null)
  }
}
