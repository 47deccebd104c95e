/** Every `coral-ml` command, in the order `--help` lists them. */
import type { CommandSpec } from '../command.js'
import { addCommand } from './add.js'
import { backupCommand } from './backup.js'
import { branchCommand } from './branch.js'
import { checkoutCommand } from './checkout.js'
import { clusterCommand } from './cluster.js'
import { commitCommand } from './commit.js'
import { exportCommand } from './export.js'
import { gcCommand } from './gc.js'
import { importCoralCommand } from './import-coral.js'
import { initCommand } from './init.js'
import { logCommand } from './log.js'
import { showCommand } from './show.js'
import { statusCommand } from './status.js'
import { tagCommand } from './tag.js'
import { uiCommand } from './ui.js'

export const COMMANDS: CommandSpec[] = [
  initCommand,
  addCommand,
  commitCommand,
  statusCommand,
  logCommand,
  branchCommand,
  checkoutCommand,
  tagCommand,
  showCommand,
  exportCommand,
  importCoralCommand,
  gcCommand,
  uiCommand,
  clusterCommand,
  backupCommand,
]
