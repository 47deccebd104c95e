/**
 * The error/notice banner and the connection-lost banner.
 */
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../stores/app-store'

/** The banner of the last failure or notice, with a dismiss button. */
export function MessageBanner() {
  const banner = useAppStore((s) => s.banner)
  const dismiss = useAppStore((s) => s.dismissBanner)
  if (banner === null) {
    return null
  }
  const isError = banner.severity === 'error'
  return (
    <div
      className={isError ? 'banner banner-error' : 'banner banner-info'}
      role={isError ? 'alert' : 'status'}
    >
      <div>
        <p className="banner-advice">{banner.advice}</p>
        {banner.detail !== '' && <p className="banner-detail">{banner.detail}</p>}
      </div>
      <button type="button" className="button-secondary" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  )
}

/** Shown while the bridge reports the core unreachable. */
export function ConnectionBanner() {
  const [connected, reason] = useAppStore(useShallow((s) => [s.connected, s.disconnectReason]))
  if (connected) {
    return null
  }
  return (
    <div className="banner banner-error" role="alert">
      <div>
        <p className="banner-advice">
          Connection to the Coral core lost. Requests in progress have stopped; Coral reconnects
          automatically, then retry them (or restart Coral if this persists).
        </p>
        {reason !== null && <p className="banner-detail">{reason}</p>}
      </div>
    </div>
  )
}
