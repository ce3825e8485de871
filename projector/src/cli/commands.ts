import type { CliCommand } from './command.js';
import { devCommand } from './dev.js';
import { exportCommand } from './export.js';
import { historyCommand } from './history.js';
import { migrateCommand } from './migrate.js';
import { parkedCommand } from './parked.js';
import { rebuildCommand } from './rebuild.js';
import { replayCheckCommand } from './replay-check.js';
import { tokenCommand } from './token.js';
import { verifyChainCommand } from './verify-chain.js';
import { verifyCommand } from './verify.js';

export const commands: readonly CliCommand[] = [
  devCommand,
  tokenCommand,
  migrateCommand,
  rebuildCommand,
  verifyCommand,
  historyCommand,
  exportCommand,
  verifyChainCommand,
  replayCheckCommand,
  parkedCommand,
];
