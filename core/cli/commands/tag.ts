import type { CommandSpec } from '../command.js'
import { openRepository } from '../open-repo.js'

export const tagCommand: CommandSpec = {
  name: 'tag',
  summary: 'List tags, or tag HEAD or a commit',
  usage: 'coral-ml tag [name] [-c <ref>]',
  options: { commit: { type: 'string', short: 'c' } },
  async run(ctx, { values, positionals }) {
    const repo = await openRepository(ctx.repoPath)
    if (positionals[0] !== undefined) {
      const id = await repo.createTag(
        positionals[0],
        typeof values.commit === 'string' ? values.commit : undefined,
      )
      if (ctx.json) ctx.printJson({ tag: positionals[0], commit: id })
      else ctx.out(`Tagged ${id.slice(0, 12)} as ${positionals[0]}`)
      return
    }
    const tags = []
    for (const name of await repo.tags()) tags.push({ name, commit: await repo.resolveRef(name) })
    if (ctx.json) ctx.printJson(tags)
    else for (const t of tags) ctx.out(`${t.name}  ${t.commit.slice(0, 12)}`)
  },
}
