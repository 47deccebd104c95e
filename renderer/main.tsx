/**
 * Renderer entry: connect to the core, then render the app.
 */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app'
import { createBridge } from './lib/create-bridge'
import { describeError } from './lib/describe-error'
import { installBridge } from './stores/install-bridge'
import { useRepoStore } from './stores/repo-store'
import './styles.css'

async function start(root: HTMLElement): Promise<void> {
  let initialRepository: string | null = null
  try {
    const bridge = await createBridge()
    installBridge(bridge)
    if ('initialRepository' in bridge && typeof bridge.initialRepository === 'string') {
      initialRepository = bridge.initialRepository
    }
  } catch (error) {
    // Without a bridge nothing works: say so instead of showing an empty window.
    const { detail } = describeError(error)
    root.innerHTML = ''
    const message = document.createElement('div')
    message.className = 'banner banner-error startup-error'
    message.setAttribute('role', 'alert')
    message.textContent = `Coral could not connect to its core: ${detail}. Restart Coral; if it repeats, report this message.`
    root.append(message)
    return
  }
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  )
  // `coral-ml ui <repo>` (or --demo) opened a repository before serving: show it, not Welcome.
  if (initialRepository !== null) {
    void useRepoStore.getState().openPath(initialRepository)
  }
}

const root = document.getElementById('root')
if (root !== null) {
  void start(root)
}
