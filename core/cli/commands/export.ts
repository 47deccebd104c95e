import path from 'node:path'

import { CoralError } from '../../errors.js'
import { writeSafetensors } from '../../formats/safetensors.js'
import type { Tensor } from '../../tensor/tensor.js'
import type { CommandSpec } from '../command.js'
import { formatBytes } from '../format.js'
import { openRepository } from '../open-repo.js'

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'Write every tensor of a commit to a safetensors file',
  usage: 'coral-ml export <ref> <out.safetensors>',
  async run(ctx, { positionals }) {
    const [ref, out] = positionals
    if (ref === undefined || out === undefined) {
      throw new CoralError('InvalidArgument', 'usage: coral-ml export <ref> <out.safetensors>')
    }
    const repo = await openRepository(ctx.repoPath)
    const commit = await repo.resolveRef(ref)
    const progress = ctx.progress('export')
    const entries: [string, Tensor][] = []
    for await (const entry of repo.iterateWeights(commit, {
      signal: ctx.signal,
      onProgress: progress,
    })) {
      entries.push(entry)
    }
    progress.finish()
    const target = path.resolve(out)
    await writeSafetensors(target, entries, { 'coral.commit': commit })
    const bytes = entries.reduce((sum, [, t]) => sum + t.data.length, 0)
    if (ctx.json) ctx.printJson({ commit, file: target, tensors: entries.length, rawBytes: bytes })
    else
      ctx.out(
        `Exported ${entries.length} tensors (${formatBytes(bytes)}) of ${commit.slice(0, 12)} to ${target}`,
      )
  },
}
