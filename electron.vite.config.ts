/**
 * Build of Coral Desktop with electron-vite 6 (vite 8, Rolldown).
 *
 * - main: `electron/main/index.ts` -> `out/main/index.js` (ESM), plus the core's utility-process
 *   entry `electron/utility/index.ts` -> `out/main/core-utility.js`, a fixed name that
 *   `electron/main/index.ts` forks, and the HDF5 reader's worker thread `core/pycoral/h5-worker.ts` ->
 *   `out/main/h5-worker.js`, the name the bundled `guarded-h5.ts` looks for beside itself. Runtime `dependencies` (h5wasm, zstd-wasm, hash-wasm...)
 *   stay external and ship in the asar's node_modules, so their WASM files load from their own
 *   folders exactly as under plain Node (see `electron-builder.yml` for `asarUnpack`).
 * - preload: `electron/preload/index.ts` -> `out/preload/index.cjs`; CommonJS because a
 *   sandboxed preload cannot be an ES module.
 * - renderer: `renderer/index.html` -> `out/renderer`, with React.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

const root = path.dirname(fileURLToPath(import.meta.url))
const at = (relative: string): string => path.resolve(root, relative)

export default defineConfig({
  main: {
    build: {
      outDir: at('out/main'),
      rolldownOptions: {
        input: {
          index: at('electron/main/index.ts'),
          'core-utility': at('electron/utility/index.ts'),
          'h5-worker': at('core/pycoral/h5-worker.ts'),
        },
        output: { entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: at('out/preload'),
      rolldownOptions: {
        input: { index: at('electron/preload/index.ts') },
        output: {
          format: 'cjs',
          entryFileNames: '[name].cjs',
          chunkFileNames: '[name]-[hash].cjs',
        },
      },
    },
  },
  renderer: {
    root: at('renderer'),
    plugins: [react()],
    build: {
      outDir: at('out/renderer'),
      emptyOutDir: true,
      rolldownOptions: { input: { index: at('renderer/index.html') } },
    },
  },
})
