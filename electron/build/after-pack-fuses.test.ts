import fuses from '@electron/fuses'
import { afterEach, describe, expect, it, vi } from 'vitest'

import afterPack, { fuseConfigFor } from './after-pack-fuses.mjs'

const { FuseV1Options } = fuses

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('electron/build/after-pack-fuses', () => {
  it('locks a release binary down', () => {
    const config = fuseConfigFor('release', 'linux')

    expect(config[FuseV1Options.RunAsNode]).toBe(false)
    expect(config[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false)
    expect(config[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false)
    expect(config[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true)
  })

  it('keeps the inspector arguments that Playwright needs in a test build only', () => {
    const config = fuseConfigFor('test', 'linux')

    expect(config[FuseV1Options.EnableNodeCliInspectArguments]).toBe(true)
    expect(config[FuseV1Options.RunAsNode]).toBe(false)
  })

  it('rejects an unknown mode instead of shipping unflipped', () => {
    expect(() => fuseConfigFor('relase', 'linux')).toThrow(/CORAL_FUSES must be/)
  })

  it('flips through electron-builder, or skips when CORAL_FUSES=off', async () => {
    const addElectronFuses = vi.fn(async () => 0)
    const context = { electronPlatformName: 'linux', packager: { addElectronFuses } }

    vi.stubEnv('CORAL_FUSES', 'off')
    await afterPack(context)
    expect(addElectronFuses).not.toHaveBeenCalled()
    vi.stubEnv('CORAL_FUSES', 'release')
    await afterPack(context)

    expect(addElectronFuses).toHaveBeenCalledWith(context, fuseConfigFor('release', 'linux'))
  })
})
