import path from 'node:path'

import { CoralError } from '../../errors.js'
import { importPythonRepository } from '../../repo/import-python.js'
import type { CommandSpec } from '../command.js'
import { formatDuration, formatFields } from '../format.js'

export const importCoralCommand: CommandSpec = {
  name: 'import-coral',
  summary: 'Convert a repository written by the Python coral-ml, with a verification report',
  usage:
    'coral-ml import-coral <python-repo> [--to <dir>]\n' +
    '  In place by default: the original .coral is kept as .coral_backup_<timestamp>.',
  options: { to: { type: 'string' } },
  async run(ctx, { values, positionals }) {
    if (positionals[0] === undefined) {
      throw new CoralError(
        'InvalidArgument',
        'import-coral needs the path of a Python coral-ml repository',
      )
    }
    const progress = ctx.progress('import')
    const report = await importPythonRepository(path.resolve(positionals[0]), {
      ...(typeof values.to === 'string' ? { to: values.to } : {}),
      signal: ctx.signal,
      onProgress: progress,
    })
    progress.finish()
    if (ctx.json) {
      ctx.printJson(report)
      return
    }
    ctx.out(`Imported ${report.source} (${report.dialect}) into ${report.target}`)
    ctx.out(
      formatFields([
        ['Commits', report.commits],
        ['Branches', report.branches.join(', ') || '-'],
        ['Tags', report.tags.join(', ') || '-'],
        ['Tensor versions verified', report.verified],
        ['Unverifiable (no recorded hash)', report.unverifiable],
        ['Mismatched (hash differs)', report.mismatched],
        ['Unreadable', report.unreadable],
        ['Time elapsed', formatDuration(report.elapsedMs)],
      ]),
    )
    if (report.backupPath) ctx.out(`Original kept at ${report.backupPath}`)
    const bad = report.tensors.filter((t) => t.status !== 'verified')
    if (bad.length > 0) {
      ctx.out('\nTensors not verified:')
      for (const t of bad)
        ctx.out(`  ${t.status.padEnd(12)} ${t.commit.slice(0, 12)} ${t.name}: ${t.detail}`)
    }
  },
}
