/**
 * electron-builder `afterPack` hook that flips Electron's fuses in the packaged binary.
 *
 * Mode from `CORAL_FUSES`:
 * - `release` (default): RunAsNode off, NODE_OPTIONS off, `--inspect` arguments off,
 *   OnlyLoadAppFromAsar on, cookie encryption on, extra file:// privileges off.
 * - `test`: the same but `--inspect` arguments stay on, because Playwright's
 *   `_electron.launch` drives the app through the inspector and times out without it.
 * - `off`: no fuses (the offline packaging check, whose stub binary has no fuse wire).
 * A release binary without a fuse wire fails the build: better than shipping it unflipped.
 */
import fuses from '@electron/fuses'

/** The fuse settings of one mode, keyed by `FuseV1Options` value. */
export function fuseConfigFor(mode, platform) {
  if (mode !== 'release' && mode !== 'test') {
    throw new Error(`CORAL_FUSES must be release, test or off; got ${JSON.stringify(mode)}`)
  }
  const { FuseV1Options, FuseVersion } = fuses
  return {
    version: FuseVersion.V1,
    // Flipping fuses invalidates an ad-hoc macOS signature; electron-builder signs afterwards.
    resetAdHocDarwinSignature: platform === 'darwin',
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: mode === 'test',
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
    // TODO: turn on EnableEmbeddedAsarIntegrityValidation; remove once the mac and Windows
    // builds are signed and the check has run on a real binary of each platform.
  }
}

/** The hook electron-builder calls after packing each platform's app folder. */
export default async function afterPack(context) {
  const mode = process.env.CORAL_FUSES ?? 'release'
  if (mode === 'off') {
    console.log('  • fuses skipped (CORAL_FUSES=off)')
    return
  }
  const config = fuseConfigFor(mode, context.electronPlatformName)
  await context.packager.addElectronFuses(context, config)
  console.log(`  • fuses flipped (${mode})`)
}
