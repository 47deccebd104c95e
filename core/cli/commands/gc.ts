import { collectGarbage } from '../../repo/gc.js'
import type { CommandSpec } from '../command.js'
import { formatBytes } from '../format.js'
import { openRepository } from '../open-repo.js'

export const gcCommand: CommandSpec = {
  name: 'gc',
  summary: 'Remove stored objects that no commit, staged tensor or delta needs',
  usage: 'coral-ml gc',
  async run(ctx) {
    const repo = await openRepository(ctx.repoPath)
    const report = await collectGarbage(repo, { signal: ctx.signal })
    if (ctx.json) ctx.printJson(report)
    else
      ctx.out(
        `Removed ${report.removedObjects} objects (${formatBytes(report.removedBytes)}) and ` +
          `${report.removedTempFiles} temporary files; kept ${report.keptObjects} objects`,
      )
  },
}
