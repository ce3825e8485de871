#!/usr/bin/env node
import { commands } from './commands.js';
import { UsageError } from './command.js';

/** `iwf <command> [...args]`: operator and auditor tooling, and the all-in-one dev server. */
async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    process.stderr.write(`iwf: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(args);
}

function usage(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return `Usage: iwf <command> [options]\n\nCommands:\n${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}\n\nRun "iwf <command> --help" for a command's options.\n`;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`iwf: ${error.message}\n`);
    return 2;
  }
  throw error;
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`iwf: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
