/**
 * The root error boundary: a rendering bug shows a message, never a blank window.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react'

interface ErrorBoundaryState {
  error: Error | null
}

/** Catches render errors below it and offers to try again. */
export class ErrorBoundary extends Component<{ children: ReactNode }, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { error: null }

  static getDerivedStateFromError(error: Error): ErrorBoundaryState {
    return { error }
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Keep the stack for bug reports; the UI shows only the message.
    console.error('[renderer] render failed', error, info.componentStack)
  }

  override render(): ReactNode {
    const { error } = this.state
    if (error === null) {
      return this.props.children
    }
    return (
      <div className="banner banner-error" role="alert">
        <div>
          <p className="banner-advice">
            This view failed to render, which is a bug in Coral. Try again; if it repeats, reload
            the window and report the message below.
          </p>
          <p className="banner-detail">{error.message}</p>
        </div>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    )
  }
}
