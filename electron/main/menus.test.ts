import { describe, expect, it } from 'vitest'

import { buildMenuTemplate } from './menus.js'

const roles = (template: ReturnType<typeof buildMenuTemplate>): string[] =>
  JSON.stringify(template).match(/"role":"\w+"/g) ?? []

describe('electron/main/menus', () => {
  it('offers developer tools only in development builds', () => {
    expect(roles(buildMenuTemplate({ isMac: false, isPackaged: false }))).toContain(
      '"role":"toggleDevTools"',
    )
    expect(roles(buildMenuTemplate({ isMac: false, isPackaged: true }))).not.toContain(
      '"role":"toggleDevTools"',
    )
  })

  it('starts with the app menu on macOS only', () => {
    expect(buildMenuTemplate({ isMac: true, isPackaged: true })[0]?.role).toBe('appMenu')
    expect(buildMenuTemplate({ isMac: false, isPackaged: true })[0]?.label).toBe('File')
  })
})
