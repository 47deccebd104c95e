import { CoralError } from '../../errors.js'
import type { CommandSpec } from '../command.js'
import { openRepository } from '../open-repo.js'

export const commitCommand: CommandSpec = {
  name: 'commit',
  summary: 'Record the staged tensors as a new commit',
  usage: 'coral-ml commit -m <message> [--author <name>] [--email <email>] [--tag <name>]...',
  options: {
    message: { type: 'string', short: 'm' },
    author: { type: 'string' },
    email: { type: 'string' },
    tag: { type: 'string', short: 't', multiple: true },
  },
  async run(ctx, { values }) {
    if (typeof values.message !== 'string') {
      throw new CoralError('InvalidArgument', 'commit needs a message: -m "<message>"')
    }
    const repo = await openRepository(ctx.repoPath)
    const commit = await repo.commit(values.message, {
      ...(typeof values.author === 'string' ? { author: values.author } : {}),
      ...(typeof values.email === 'string' ? { email: values.email } : {}),
      tags: (values.tag as string[] | undefined) ?? [],
      signal: ctx.signal,
    })
    if (ctx.json) {
      ctx.printJson(commit)
    } else {
      const head = await repo.headState()
      ctx.out(
        `[${head.branch ?? 'detached HEAD'} ${commit.id.slice(0, 12)}] ${commit.message} (${commit.tensors} tensors)`,
      )
    }
  },
}
