/**
 * The application menu.
 *
 * Built from Electron roles only, so every item works without a renderer round trip. Developer
 * tools are offered in development builds only.
 */
import type { Menu as MenuClass, MenuItemConstructorOptions } from 'electron'

/** What the menu depends on. */
export interface MenuInput {
  /** True on macOS, where the first menu is the app menu. */
  isMac: boolean
  /** False in development (`app.isPackaged`), which adds the developer-tools item. */
  isPackaged: boolean
}

/** The menu template. */
export function buildMenuTemplate(input: MenuInput): MenuItemConstructorOptions[] {
  const template: MenuItemConstructorOptions[] = []
  if (input.isMac) {
    template.push({ role: 'appMenu' })
  }
  template.push(
    { label: 'File', submenu: [input.isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(input.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  )
  return template
}

/** Installs the application menu; call after `app` is ready. */
export function setupMenus(
  Menu: Pick<typeof MenuClass, 'buildFromTemplate' | 'setApplicationMenu'>,
  input: MenuInput,
): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(input)))
}
