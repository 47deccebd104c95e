import path from 'node:path'

import { Repository } from '../../repo/repository.js'
import type { CommandSpec } from '../command.js'

export const initCommand: CommandSpec = {
  name: 'init',
  summary: 'Create an empty repository',
  usage: 'coral-ml init [path] [--branch <name>]',
  options: { branch: { type: 'string', short: 'b' } },
  async run(ctx, { values, positionals }) {
    const target = path.resolve(ctx.repoPath, positionals[0] ?? '.')
    const branch = typeof values.branch === 'string' ? values.branch : undefined
    const repo = await Repository.init(target, branch ? { branch } : {})
    if (ctx.json) {
      ctx.printJson({ path: repo.root, branch: branch ?? 'main' })
    } else {
      ctx.out(`Initialized empty Coral repository in ${repo.coralDir}`)
    }
  },
}
