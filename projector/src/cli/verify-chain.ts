import { verifyChains } from '../verify/chain.js';
import { countEvents, withTooling } from '../verify/tooling.js';
import { parseOptions, type CliCommand } from './command.js';
import { Progress, progressWanted } from './progress.js';

const PROBLEMS = {
  hash_mismatch: 'its hash does not match its content and the chain before it',
  revision_gap: 'it is missing',
  head_mismatch: "the stream's recorded head does not match its last event",
} as const;

export const verifyChainCommand: CliCommand = {
  name: 'verify-chain',
  summary: "Recompute every stream's hash chain and name the first bad event",
  usage: `Usage: iwf verify-chain [--stream S] [--json] [--progress]

Recomputes the hash chain of every stream (or of --stream) from the events' stored
content, in one consistent snapshot, and names the first bad event of each broken stream
by stream and revision: a changed event (hash_mismatch), a missing one (revision_gap), or
a stream head that does not match its last event (head_mismatch).

Exit codes: 0 every chain holds, 1 a chain is broken (or the check failed), 2 usage error.`,
  async run(args) {
    const { values } = parseOptions(args, { stream: { type: 'string' }, json: { type: 'boolean', default: false }, progress: { type: 'boolean' } });
    return withTooling(async ({ pool }) => {
      const progress = new Progress({ label: 'verify-chain', unit: 'events', total: values.stream ? undefined : await countEvents(pool), enabled: progressWanted(values.progress) });
      const report = await verifyChains(pool, { stream: values.stream, onProgress: (events) => progress.update(events) });
      progress.finish(report.events);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
      } else {
        for (const bad of report.broken) {
          process.stdout.write(`BROKEN ${bad.stream_id} at revision ${bad.revision}: ${bad.problem} (${PROBLEMS[bad.problem]})\n`);
        }
        const verdict = report.broken.length === 0 ? 'every chain holds' : `${report.broken.length} broken stream(s)`;
        process.stdout.write(`verified ${report.streams} streams, ${report.events} events: ${verdict}\n`);
      }
      return report.broken.length === 0 ? 0 : 1;
    });
  },
};
