/**
 * `node --import` this file to run the built main (`out/main/index.js`) under plain Node with
 * `electron` resolved to `fake-electron.mjs`. Used by scripts/check-package.mjs only.
 */
import { register } from 'node:module'

register('./resolve-fake-electron.mjs', import.meta.url)
