/** Types for the untyped `h5wasm-plugins` package (only what Coral calls). */
declare module 'h5wasm-plugins' {
  /** Adds the package's bundled plugin folder to HDF5's plugin search path (Node only). */
  export function install_local_plugins(h5wasmModule: unknown): void
}
