/**
 * Preload entry, built to CommonJS (`out/preload/index.cjs`) because sandboxed preloads cannot
 * be ES modules. Wiring only; see `install-preload.ts`.
 */
import { contextBridge, ipcRenderer } from 'electron'

import { installPreload, type PreloadWindow } from './install-preload.js'

// NOTE: the check tsconfig has no DOM library; this is the real `window` in the preload.
const page = globalThis as unknown as { window: PreloadWindow }

installPreload({ contextBridge, ipcRenderer, window: page.window, argv: process.argv })
