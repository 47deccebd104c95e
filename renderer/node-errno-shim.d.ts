/**
 * The one Node type the renderer sees through `core/errors.ts`.
 *
 * `toCoralError` (never called here) names `NodeJS.ErrnoException`; the
 * renderer compiles with `types: []`, so this declares just that interface.
 */
declare namespace NodeJS {
  interface ErrnoException extends Error {
    errno?: number | undefined
    code?: string | undefined
    path?: string | undefined
    syscall?: string | undefined
  }
}
