import { throwIfAborted } from '../errors.js'
import type { Tensor, TensorInfo } from '../tensor/tensor.js'
import { FileSource } from './file-source.js'
import { checkTensorName, malformed, quote, unsupported } from './format-errors.js'
import { decodeNpy, npyDataOffset, parseNpyHeader } from './npy.js'
import { openZip, readStoredRange, readZipEntry, type ZipArchive, type ZipEntry } from './zip.js'

/**
 * Reads the arrays of a NumPy .npz archive one at a time.
 *
 * An .npz is a zip of .npy members, stored or deflated; each tensor is named
 * after its member without the `.npy` suffix. Folders are skipped; any other
 * member raises `Unsupported` rather than being silently dropped.
 */
export async function* readNpz(
  file: string,
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<{ name: string; tensor: Tensor }> {
  const source = await FileSource.open(file)
  try {
    const archive = await openZip(source)
    for (const [name, entry] of npyMembers(file, archive)) {
      throwIfAborted(options.signal)
      const bytes = await readZipEntry(archive, entry)
      yield { name, tensor: decodeNpy(`${file}: ${name}.npy`, bytes) }
    }
  } finally {
    await source.close()
  }
}

/** Lists the arrays of an .npz archive, reading only the .npy headers of stored members. */
export async function listNpz(file: string): Promise<{ name: string; info: TensorInfo }[]> {
  const source = await FileSource.open(file)
  try {
    const archive = await openZip(source)
    const out: { name: string; info: TensorInfo }[] = []
    for (const [name, entry] of npyMembers(file, archive)) {
      const label = `${file}: ${name}.npy`
      let headerBytes: Uint8Array
      if (entry.method === 0) {
        const prefix = await readStoredRange(archive, entry, 0, Math.min(12, entry.size))
        const end = npyDataOffset(label, prefix)
        if (end > entry.size) {
          throw malformed(
            label,
            `.npy header (${end} bytes) is longer than the member (${entry.size})`,
          )
        }
        headerBytes = await readStoredRange(archive, entry, 0, end)
      } else {
        // Deflated members must be inflated to reach the header.
        headerBytes = await readZipEntry(archive, entry)
      }
      const header = parseNpyHeader(label, headerBytes)
      if (entry.size - header.dataOffset !== header.byteLength) {
        throw malformed(
          label,
          `.npy data is ${entry.size - header.dataOffset} bytes but the header needs ${header.byteLength}`,
        )
      }
      out.push({
        name,
        info: { dtype: header.dtype, shape: header.shape, byteLength: header.byteLength },
      })
    }
    return out
  } finally {
    await source.close()
  }
}

function npyMembers(file: string, archive: ZipArchive): [string, ZipEntry][] {
  const members: [string, ZipEntry][] = []
  for (const entry of archive.entries) {
    if (entry.name.endsWith('/') && entry.size === 0) {
      continue
    }
    if (!entry.name.endsWith('.npy')) {
      throw unsupported(file, `.npz member ${quote(entry.name)} is not a .npy array`)
    }
    const name = entry.name.slice(0, -'.npy'.length)
    checkTensorName(file, name)
    members.push([name, entry])
  }
  return members
}
