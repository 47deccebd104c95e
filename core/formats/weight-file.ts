import path from 'node:path'

import { CoralError, toCoralError } from '../errors.js'
import type { Tensor, TensorInfo } from '../tensor/tensor.js'
import { FileSource } from './file-source.js'
import { checkTensorName, malformed, unsupported } from './format-errors.js'
import { listNpy, readNpy } from './npy.js'
import { listNpz, readNpz } from './npz.js'
import { listPytorch, readPytorch } from './pytorch.js'
import { listSafetensors, readSafetensors } from './safetensors.js'

/** A weight-file format Coral can read. */
export type WeightFormat = 'safetensors' | 'npy' | 'npz' | 'pytorch'

/** One tensor read from a weight file. */
export interface NamedTensor {
  readonly name: string
  readonly tensor: Tensor
}

const EXTENSIONS: Record<string, WeightFormat> = {
  '.safetensors': 'safetensors',
  '.npy': 'npy',
  '.npz': 'npz',
  '.pt': 'pytorch',
  '.pth': 'pytorch',
  '.bin': 'pytorch',
}

/**
 * Detects the format of a weight file from its extension and first bytes.
 *
 * The magic decides when it is unambiguous (`\x93NUMPY` for .npy, `PK` for
 * the zip formats); a zip is an .npz when named so and PyTorch otherwise. A
 * file whose magic fits no format raises `Unsupported`.
 */
export async function detectFormat(file: string): Promise<WeightFormat> {
  const source = await FileSource.open(file).catch((error: unknown) => {
    throw asCoralError(file, error)
  })
  let head: Uint8Array
  try {
    head = await source.read(0, Math.min(8, source.size), 'file header')
  } finally {
    await source.close()
  }
  const byExtension = EXTENSIONS[path.extname(file).toLowerCase()]
  if (
    head.length >= 6 &&
    head[0] === 0x93 &&
    String.fromCharCode(...head.subarray(1, 6)) === 'NUMPY'
  ) {
    return 'npy'
  }
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b) {
    return byExtension === 'npz' ? 'npz' : 'pytorch'
  }
  if (byExtension === 'safetensors' || (byExtension === undefined && looksLikeSafetensors(head))) {
    return 'safetensors'
  }
  if (byExtension === 'pytorch') {
    throw unsupported(file, 'is not a zip-based PyTorch checkpoint (legacy torch.save format?)')
  }
  if (byExtension !== undefined) {
    throw malformed(file, `does not start like a ${byExtension} file`)
  }
  throw unsupported(file, 'is not a weight file Coral can read (safetensors, .npy, .npz, .pt)')
}

/**
 * Streams every tensor of a weight file, whatever its format.
 *
 * Errors are `CoralError`s whose one-line message names the file and the
 * problem; file-system errors are mapped with `toCoralError`.
 */
export async function* readWeightFile(
  file: string,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<NamedTensor> {
  try {
    const format = await detectFormat(file)
    switch (format) {
      case 'safetensors':
        yield* readSafetensors(file, options)
        return
      case 'npz':
        yield* readNpz(file, options)
        return
      case 'pytorch':
        yield* readPytorch(file, options)
        return
      case 'npy': {
        const name = npyName(file)
        yield { name, tensor: await readNpy(file) }
        return
      }
    }
  } catch (error) {
    throw asCoralError(file, error)
  }
}

/** Lists the tensors of a weight file (name, dtype, shape, bytes) without reading their data. */
export async function listWeightFile(file: string): Promise<{ name: string; info: TensorInfo }[]> {
  try {
    const format = await detectFormat(file)
    switch (format) {
      case 'safetensors':
        return await listSafetensors(file)
      case 'npz':
        return await listNpz(file)
      case 'pytorch':
        return await listPytorch(file)
      case 'npy':
        return [{ name: npyName(file), info: await listNpy(file) }]
    }
  } catch (error) {
    throw asCoralError(file, error)
  }
}

// A lone .npy array is named after its file.
function npyName(file: string): string {
  const name = path.basename(file).replace(/\.npy$/i, '')
  checkTensorName(file, name)
  return name
}

// An 8-byte length followed by '{' is the safetensors layout.
function looksLikeSafetensors(head: Uint8Array): boolean {
  return head.length === 8 && head[6] === 0 && head[7] === 0
}

// Missing files and folders get a one-line message naming the path.
function asCoralError(file: string, error: unknown): CoralError {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ENOENT') {
    return new CoralError('NotFound', `${file}: no such file`, { file })
  }
  if (code === 'EISDIR') {
    return new CoralError('InvalidArgument', `${file}: is a folder, not a weight file`, { file })
  }
  return toCoralError(error)
}
