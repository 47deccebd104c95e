import { CoralError } from '../../errors.js'
import { tensorHistogram, tensorStats } from '../../repo/tensor-stats.js'
import { formatShape } from '../../tensor/tensor.js'
import type { CommandSpec } from '../command.js'
import { formatBytes, formatFields } from '../format.js'
import { openRepository } from '../open-repo.js'

export const showCommand: CommandSpec = {
  name: 'show',
  summary: 'Describe one tensor of a commit: dtype, shape, id, storage and statistics',
  usage: 'coral-ml show <tensor> [-c <ref>]',
  options: { commit: { type: 'string', short: 'c' } },
  async run(ctx, { values, positionals }) {
    const name = positionals[0]
    if (name === undefined) {
      throw new CoralError('InvalidArgument', 'show needs a tensor name')
    }
    const repo = await openRepository(ctx.repoPath)
    const commit = await repo.resolveRef(
      typeof values.commit === 'string' ? values.commit : undefined,
    )
    const id = (await repo.tree(commit))[name]
    if (id === undefined) {
      throw new CoralError('NotFound', `Tensor "${name}" is not in commit ${commit.slice(0, 12)}`)
    }
    const tensor = await repo.readTensorOf(id, name, commit)
    const { header, storedBytes } = await repo.objects.readHeader(id)
    const stats = tensorStats(tensor)
    if (ctx.json) {
      ctx.printJson({
        name,
        commit,
        id,
        dtype: tensor.dtype,
        shape: tensor.shape,
        byteLength: tensor.data.length,
        storage: {
          codec: header.codec,
          storedBytes,
          referenceId: header.base ?? null,
          similarity: header.similarity ?? null,
        },
        stats,
        histogram: tensorHistogram(tensor, stats),
      })
      return
    }
    ctx.out(`${name} @ ${commit.slice(0, 12)}`)
    ctx.out(
      formatFields([
        ['Id', id],
        ['Dtype', tensor.dtype],
        ['Shape', formatShape(tensor.shape)],
        ['Size', formatBytes(tensor.data.length)],
        [
          'Stored',
          `${formatBytes(storedBytes)} (${header.codec}${header.base ? ` against ${header.base.slice(0, 12)}` : ''})`,
        ],
        ...(stats
          ? ([
              ['Min', stats.min],
              ['Max', stats.max],
              ['Mean', stats.mean],
              ['Std', stats.std],
              ['Zeros', stats.zeros],
              ['NaN / Inf', `${stats.nans} / ${stats.infinities}`],
            ] as [string, string | number][])
          : []),
      ]),
    )
  },
}
