import { CoralError } from '../../errors.js'
import type { CommandSpec } from '../command.js'
import { openRepository } from '../open-repo.js'

export const checkoutCommand: CommandSpec = {
  name: 'checkout',
  summary: 'Point HEAD at a branch, or detach it at a tag or commit',
  usage: 'coral-ml checkout <branch|tag|commit>',
  async run(ctx, { positionals }) {
    if (positionals[0] === undefined) {
      throw new CoralError('InvalidArgument', 'checkout needs a branch, tag or commit')
    }
    const repo = await openRepository(ctx.repoPath)
    const head = await repo.checkout(positionals[0])
    if (ctx.json) ctx.printJson(head)
    else if (head.branch) ctx.out(`Switched to branch ${head.branch}`)
    else ctx.out(`HEAD is now detached at ${head.commit?.slice(0, 12)}`)
  },
}
