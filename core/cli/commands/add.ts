import path from 'node:path'

import { CoralError } from '../../errors.js'
import { readWeightFile } from '../../formats/weight-file.js'
import type { Tensor } from '../../tensor/tensor.js'
import type { CommandSpec } from '../command.js'
import { formatBytes } from '../format.js'
import { openRepository } from '../open-repo.js'

export const addCommand: CommandSpec = {
  name: 'add',
  summary: 'Stage the tensors of weight files (safetensors, .npy, .npz, .pt/.pth)',
  usage:
    'coral-ml add <file>... [--prefix <name>]\n' +
    '  Tensors keep their names from the file (a .npy file is named after the file).\n' +
    '  --prefix adds "<name>." before every tensor name.',
  options: { prefix: { type: 'string' } },
  async run(ctx, { values, positionals }) {
    if (positionals.length === 0) {
      throw new CoralError('InvalidArgument', 'add needs at least one weight file')
    }
    const repo = await openRepository(ctx.repoPath)
    const prefix = typeof values.prefix === 'string' ? `${values.prefix}.` : ''
    const progress = ctx.progress('add')
    const files = []
    let tensors = 0
    let rawBytes = 0
    let written = 0
    for (const file of positionals) {
      const absolute = path.resolve(file)
      // Read the whole file before staging so a malformed file stages nothing.
      const entries: [string, Tensor][] = []
      for await (const { name, tensor } of readWeightFile(absolute, { signal: ctx.signal })) {
        entries.push([prefix + name, tensor])
      }
      const result = await repo.stageWeights(entries, { signal: ctx.signal, onProgress: progress })
      const fileRaw = entries.reduce((sum, [, t]) => sum + t.data.length, 0)
      const fileWritten = result.staged
        .filter((s) => s.written)
        .reduce((sum, s) => sum + s.storedBytes, 0)
      files.push({
        file: absolute,
        tensors: entries.length,
        rawBytes: fileRaw,
        writtenBytes: fileWritten,
      })
      tensors += entries.length
      rawBytes += fileRaw
      written += fileWritten
    }
    progress.finish()
    if (ctx.json) {
      ctx.printJson({ files, tensors, rawBytes, writtenBytes: written })
    } else {
      for (const f of files) {
        ctx.out(
          `staged ${f.tensors} tensors from ${f.file} (${formatBytes(f.rawBytes)} raw, ${formatBytes(f.writtenBytes)} newly stored)`,
        )
      }
    }
  },
}
