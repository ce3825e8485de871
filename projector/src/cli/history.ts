import type { AuditEventView, AuditStreamView } from '@iwf/contracts';
import { parseStreamId } from '@iwf/contracts';
import { auditStream } from '@iwf/query-service/audit/stream';
import { withTooling } from '../verify/tooling.js';
import { parseOptions, UsageError, type CliCommand } from './command.js';

export const historyCommand: CliCommand = {
  name: 'history',
  summary: "Show a stream's events with their metadata and its state at a revision or a time",
  usage: `Usage: iwf history <stream> [--at-revision N | --at-time T] [--json]

Lists the stream's events up to revision N or up to time T (ISO-8601; the latest when
neither is given) with who appended each (actor), the correlation and causation ids, and
then the state its aggregate had folded at that point, with the aggregate's own fold
(workflow or execution or approval). Stream ids read <category>:<tenant>:<id>.

  --json  one JSON document: { stream_id, revision, head_revision, events, state }

Exit codes: 0 shown, 1 no such stream, 2 usage error.`,
  async run(args) {
    const { values, positionals } = parseOptions(args, { 'at-revision': { type: 'string' }, 'at-time': { type: 'string' }, json: { type: 'boolean', default: false } }, true);
    const [stream, ...extra] = positionals;
    if (!stream || extra.length > 0) throw new UsageError('name exactly one stream, e.g. execution:acme:ex-1');
    const parsed = parseStreamId(stream);
    if (!parsed) throw new UsageError(`"${stream}" is not a stream id (<category>:<tenant>:<id>)`);
    if (values['at-revision'] !== undefined && values['at-time'] !== undefined) throw new UsageError('give --at-revision or --at-time, not both');
    const atRevision = values['at-revision'] === undefined ? undefined : Number(values['at-revision']);
    if (atRevision !== undefined && !(Number.isSafeInteger(atRevision) && atRevision >= 0)) throw new UsageError('--at-revision takes a revision (0 or more)');
    const atTime = values['at-time'] === undefined ? undefined : new Date(values['at-time']);
    if (atTime && Number.isNaN(atTime.getTime())) throw new UsageError('--at-time takes an ISO-8601 timestamp');
    return withTooling(async ({ pool }) => {
      const view = await auditStream(pool, stream, { at_revision: atRevision, at_time: atTime });
      if (!view) {
        process.stderr.write(`iwf: no stream ${stream}\n`);
        return 1;
      }
      process.stdout.write(values.json ? `${JSON.stringify(view)}\n` : table(view));
      return 0;
    });
  },
};

const COLUMNS: readonly [string, (event: AuditEventView) => string][] = [
  ['REV', (event) => String(event.stream_revision)],
  ['RECORDED_AT', (event) => event.recorded_at],
  ['TYPE', (event) => event.type],
  ['ACTOR', (event) => event.metadata.actor],
  ['CORRELATION', (event) => event.metadata.correlation_id],
  ['CAUSATION', (event) => event.metadata.causation_id ?? '-'],
];

function table(view: AuditStreamView): string {
  const rows = [COLUMNS.map(([title]) => title), ...view.events.map((event) => COLUMNS.map(([, cell]) => cell(event)))];
  const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
  const where = view.revision === null ? 'before its first event' : `at revision ${view.revision} of ${view.head_revision}`;
  const state = view.state === null ? `(no aggregate fold for ${view.category} streams)` : JSON.stringify(view.state, null, 2);
  return `${lines.join('\n')}\n\nState of ${view.stream_id} ${where}:\n${state}\n`;
}
