import { summarizeRepository } from '../../repo/summary.js'
import { clusteringStateOf } from '../../repo/clustering-state.js'
import type { CommandSpec } from '../command.js'
import { formatBytes } from '../format.js'
import { openRepository } from '../open-repo.js'

export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'Show HEAD, staged tensors and repository figures',
  usage: 'coral-ml status',
  async run(ctx) {
    const repo = await openRepository(ctx.repoPath)
    const summary = await summarizeRepository(repo, await clusteringStateOf(repo))
    const staged = await repo.readStaging()
    if (ctx.json) {
      ctx.printJson({ ...summary, stagedTensors: staged })
      return
    }
    const head = summary.head
    ctx.out(
      head.branch ? `On branch ${head.branch}` : `HEAD detached at ${head.commit?.slice(0, 12)}`,
    )
    ctx.out(head.commit ? `HEAD commit ${head.commit.slice(0, 12)}` : 'No commits yet')
    const names = Object.keys(staged).sort()
    if (names.length > 0) {
      ctx.out(`\nStaged for commit (${names.length}):`)
      for (const name of names.slice(0, 50)) ctx.out(`  ${name}`)
      if (names.length > 50) ctx.out(`  ... and ${names.length - 50} more`)
    } else {
      ctx.out('\nNothing staged.')
    }
    ctx.out(
      `\n${summary.commits} commits, ${summary.tensorVersions} tensor versions, ${summary.uniqueTensors} unique tensors; ` +
        `${formatBytes(summary.rawBytes)} raw, ${formatBytes(summary.storedBytes)} stored` +
        (summary.clustering.migrated
          ? `; clustered (${summary.clustering.clusteredTensors} clustered, ${summary.clustering.standaloneTensors} standalone)`
          : ''),
    )
  },
}
