/** Types of `after-pack-fuses.mjs` for the tests. */
export declare function fuseConfigFor(
  mode: string,
  platform: string,
): Record<string | number, unknown> & { version: string }
declare function afterPack(context: unknown): Promise<void>
export default afterPack
