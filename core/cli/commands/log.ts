import type { CommandSpec } from '../command.js'
import { openRepository } from '../open-repo.js'

export const logCommand: CommandSpec = {
  name: 'log',
  summary: 'List commits reachable from a ref (default HEAD), newest first',
  usage: 'coral-ml log [ref] [-n <count>] [--oneline]',
  options: { n: { type: 'string', short: 'n' }, oneline: { type: 'boolean' } },
  async run(ctx, { values, positionals }) {
    const repo = await openRepository(ctx.repoPath)
    const limit =
      typeof values.n === 'string' ? Math.max(0, Number.parseInt(values.n, 10) || 0) : undefined
    const commits = await repo.log(positionals[0], limit)
    if (ctx.json) {
      ctx.printJson(commits)
      return
    }
    for (const c of commits) {
      const tags = c.tags.length ? ` (tag: ${c.tags.join(', ')})` : ''
      if (values.oneline) {
        ctx.out(`${c.id.slice(0, 12)} ${c.message}${tags}`)
      } else {
        ctx.out(
          `commit ${c.id}${tags}\nAuthor: ${c.author} <${c.email}>\nDate:   ${c.timestamp}\nTensors: ${c.tensors}\n\n    ${c.message}\n`,
        )
      }
    }
  },
}
