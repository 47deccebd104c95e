/**
 * Connects the stores to a bridge.
 */
import type { Bridge } from '../lib/bridge'
import { setBridge } from '../lib/current-bridge'
import { useAppStore } from './app-store'

/** Installs `bridge` for every store and mirrors its connection state; returns an uninstaller. */
export function installBridge(bridge: Bridge): () => void {
  setBridge(bridge)
  const unsubscribe = bridge.onConnectionChange((connected, reason) =>
    useAppStore.getState().setConnection(connected, reason),
  )
  return () => {
    unsubscribe()
    setBridge(null)
  }
}
