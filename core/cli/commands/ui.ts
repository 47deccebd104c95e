import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import { CoralError } from '../../errors.js'
import { buildDemoRepository } from '../../repo/demo.js'
import type { CommandSpec } from '../command.js'
import { startUiServer } from '../ui-server.js'

/** The built renderer: `out/renderer` in a checkout (made by `npm run build:app`). */
function rendererDir(): string {
  return (
    process.env.CORAL_RENDERER_DIR ?? path.resolve(import.meta.dirname, '../../../../out/renderer')
  )
}

export const uiCommand: CommandSpec = {
  name: 'ui',
  summary: 'Serve the Coral Desktop UI to a browser (for machines without a display)',
  usage:
    'coral-ml ui [repo] [--port <n>] [--host <address>] [--demo]\n' +
    '  Binds 127.0.0.1 unless --host is given; the printed URL carries a per-run token.\n' +
    '  --demo builds the demo repository in a temporary folder and opens it.',
  options: { port: { type: 'string' }, host: { type: 'string' }, demo: { type: 'boolean' } },
  async run(ctx, { values, positionals }) {
    const port = values.port === undefined ? 0 : Number(values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new CoralError(
        'InvalidArgument',
        `--port must be an integer from 0 to 65535, not "${values.port}"`,
      )
    }
    const dir = rendererDir()
    if (!existsSync(path.join(dir, 'index.html'))) {
      throw new CoralError(
        'NotFound',
        `The UI is not built (${dir}); run "npm run build:app" first`,
      )
    }
    let repoPath = positionals[0] === undefined ? undefined : path.resolve(positionals[0])
    if (values.demo) {
      const demo = await buildDemoRepository(await mkdtemp(path.join(os.tmpdir(), 'coral-demo-')))
      repoPath = demo.root
    }
    const server = await startUiServer({
      rendererDir: dir,
      port,
      ...(typeof values.host === 'string' ? { host: values.host } : {}),
      ...(repoPath ? { repoPath } : {}),
    })
    if (ctx.json) {
      ctx.printJson({ url: server.url, port: server.port, repository: repoPath ?? null })
    } else {
      ctx.out(`Coral UI: ${server.url}`)
      if (repoPath) ctx.out(`Repository: ${repoPath}`)
      ctx.out('Press Ctrl-C to stop.')
    }
    await new Promise<void>((resolve) =>
      ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
    )
    await server.close()
  },
}
