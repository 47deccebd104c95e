import type { CommandSpec } from '../command.js'
import { openRepository } from '../open-repo.js'

export const branchCommand: CommandSpec = {
  name: 'branch',
  summary: 'List, create (at HEAD or a ref) or delete branches',
  usage: 'coral-ml branch [name [start-ref]] | branch -d <name>',
  options: { delete: { type: 'string', short: 'd' } },
  async run(ctx, { values, positionals }) {
    const repo = await openRepository(ctx.repoPath)
    if (typeof values.delete === 'string') {
      await repo.deleteBranch(values.delete)
      if (ctx.json) ctx.printJson({ deleted: values.delete })
      else ctx.out(`Deleted branch ${values.delete}`)
      return
    }
    if (positionals[0] !== undefined) {
      const id = await repo.createBranch(positionals[0], positionals[1])
      if (ctx.json) ctx.printJson({ created: positionals[0], commit: id })
      else ctx.out(`Created branch ${positionals[0]} at ${id.slice(0, 12)}`)
      return
    }
    const head = await repo.headState()
    const branches = []
    for (const name of await repo.branches()) {
      branches.push({ name, commit: await repo.resolveRef(name), current: name === head.branch })
    }
    if (ctx.json) {
      ctx.printJson(branches)
    } else {
      for (const b of branches)
        ctx.out(`${b.current ? '*' : ' '} ${b.name}  ${b.commit.slice(0, 12)}`)
    }
  },
}
