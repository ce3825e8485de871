import type { CliCommand } from './command.js';
import { devCommand } from './dev.js';
import { migrateCommand } from './migrate.js';
import { tokenCommand } from './token.js';

export const commands: readonly CliCommand[] = [devCommand, tokenCommand, migrateCommand];
