import { formatPosition } from '@iwf/contracts';
import type { VerifyReport } from '../verify/verify.js';
import { verifyProjection } from '../verify/verify.js';
import { countEvents, selectProjections, withTooling } from '../verify/tooling.js';
import { parseOptions, UsageError, type CliCommand } from './command.js';
import { Progress, progressWanted } from './progress.js';

export const verifyCommand: CliCommand = {
  name: 'verify',
  summary: 'Replay the log into a scratch copy and diff it against the live read models',
  usage: `Usage: iwf verify <projection>... | --all [--limit N] [--json] [--progress]

Replays the log into a scratch schema with the projection's own handler and compares it
with the live model at the same log position (the live projector keeps running). Prints
each difference: projection, table, key, field, live value, replayed value. The
checkpoint's version and event counter and the parked events are compared too.
With PROJECTOR_SOURCE=kafka the replay also takes what the consumer group (KAFKA_GROUP_ID)
has applied beyond the checkpoint, partition by partition; the event counter is not compared.

  --all        every read model
  --limit N    differences listed per table (default 100; all are counted)
  --json       one JSON report per projection, one per line
  --progress   show progress on stderr even when it is not a terminal

Exit codes: 0 no drift, 1 drift found (or the check failed), 2 usage error.`,
  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      { all: { type: 'boolean', default: false }, limit: { type: 'string' }, json: { type: 'boolean', default: false }, progress: { type: 'boolean' } },
      true,
    );
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!(Number.isInteger(limit) && limit > 0)) throw new UsageError('--limit takes a positive whole number');
    const selected = selectProjections(positionals, values.all);
    return withTooling(async (tooling) => {
      const { scaleOut } = tooling.config;
      const kafka = scaleOut.projectorSource === 'kafka' ? { group: scaleOut.kafka.groupId, topic: scaleOut.kafka.topics.events } : undefined;
      let drift = 0;
      for (const projection of selected) {
        const progress = new Progress({ label: `verify ${projection.name}`, unit: 'events', total: await countEvents(tooling.pool), enabled: progressWanted(values.progress) });
        const report = await verifyProjection({ pool: tooling.pool, store: tooling.store, projection, limit, kafka, onBatch: (events) => progress.update(events) });
        progress.finish(report.events);
        drift += report.drift;
        process.stdout.write(values.json ? `${JSON.stringify(toJson(report))}\n` : describe(report));
      }
      return drift > 0 ? 1 : 0;
    });
  },
};

function describe(report: VerifyReport): string {
  const position = report.position ? formatPosition(report.position) : 'the start of the log';
  const at = report.beyond ? `${position} and ${report.beyond} events the consumer group applied beyond it` : position;
  if (report.drift === 0) return `${report.projection}: no drift (${report.events} events replayed, compared at ${at})\n`;
  const lines = report.differences.map((difference) => [report.projection, difference.table, text(difference.key), difference.field, text(difference.live), text(difference.replayed)].join('\t'));
  const listed = report.differences.length;
  return [
    `${report.projection}: DRIFT in ${report.drift} row(s) (${report.events} events replayed, compared at ${at})`,
    ['projection', 'table', 'key', 'field', 'live', 'replayed'].join('\t'),
    ...lines,
    ...(listed < report.drift ? [`(${listed} field differences listed; raise --limit for more)`] : []),
    '',
  ].join('\n');
}

function toJson(report: VerifyReport): object {
  return { ...report, position: report.position ? formatPosition(report.position) : null };
}

function text(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value);
}
