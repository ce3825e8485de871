import type { ReplayFinding } from '../verify/replay-source.js';
import { replayCheck } from '../verify/replay-source.js';
import { withTooling } from '../verify/tooling.js';
import { parseOptions, type CliCommand } from './command.js';
import { Progress, progressWanted } from './progress.js';

export const replayCheckCommand: CliCommand = {
  name: 'replay-check',
  summary: 'Replay recorded executions through the current engine and list those that would now decide differently',
  usage: `Usage: iwf replay-check [--tenant T] [--workflow W] [--execution ID] [--json] [--progress]

For every recorded execution (or those of a tenant, a workflow, or one execution), rebuilds
each command the engine received from the events it recorded (the start, effect results,
deliveries, approvals, timers, cancel and retry), decides it again with the current engine
against the state folded from the events before it (with the stored rules as they were
then), and compares the decision with the recorded one. Lists every execution whose
decisions would now differ: where, the command, the recorded and the replayed events.

Exit codes: 0 every execution replays the same, 1 some would differ (or the check failed), 2 usage error.`,
  async run(args) {
    const { values } = parseOptions(args, {
      tenant: { type: 'string' },
      workflow: { type: 'string' },
      execution: { type: 'string' },
      json: { type: 'boolean', default: false },
      progress: { type: 'boolean' },
    });
    return withTooling(async ({ pool, store }) => {
      const progress = new Progress({ label: 'replay-check', unit: 'executions', enabled: progressWanted(values.progress) });
      const report = await replayCheck(pool, store, values, (checked) => progress.update(checked));
      progress.finish(report.checked);
      if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        for (const finding of report.findings) process.stdout.write(describe(finding));
        process.stdout.write(`checked ${report.checked} executions: ${report.findings.length === 0 ? 'all replay the same' : `${report.findings.length} would decide differently`}\n`);
      }
      return report.findings.length === 0 ? 0 : 1;
    });
  },
};

function describe({ stream_id, workflow_id, divergence }: ReplayFinding): string {
  const lines = [
    `DIFFERS ${stream_id} (workflow ${workflow_id}) at revision ${divergence.revision}, on ${divergence.command}:`,
    `  recorded: ${divergence.recorded.join(', ') || '(nothing)'}`,
    `  now:      ${divergence.replayed.join(', ') || '(nothing)'}`,
  ];
  if (divergence.detail) {
    lines.push(`  event ${divergence.detail.index}: recorded ${JSON.stringify(divergence.detail.recorded)}`);
    lines.push(`  ${' '.repeat(String(divergence.detail.index).length + 7)}now      ${JSON.stringify(divergence.detail.replayed)}`);
  }
  return `${lines.join('\n')}\n`;
}
