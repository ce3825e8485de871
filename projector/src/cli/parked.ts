import { formatPosition } from '@iwf/contracts';
import { createLogger } from '@iwf/platform/logging/logger';
import { connectCache } from '@iwf/platform/redis/connect';
import { replayParked } from '../parking/replay.js';
import type { ParkedRow } from '../parking/store.js';
import { listParked } from '../parking/store.js';
import { selectProjections, withTooling } from '../verify/tooling.js';
import { parseOptions, UsageError, type CliCommand } from './command.js';

export const parkedCommand: CliCommand = {
  name: 'parked',
  summary: 'List events a projection parked, or replay them after a fix',
  usage: `Usage: iwf parked list [--projection P] [--all] [--json]
       iwf parked replay [--projection P] [--stream S]

A projection parks an event its handler cannot apply (reason "failed", with the error)
and every later event of the same stream (reason "held"), and carries on with the rest.
list    the parked events still waiting (--all: replayed ones too), in log order
replay  applies the waiting events with the projection's current code, stream by stream;
        one that fails again stays parked with its new error, holding its stream back
The Kafka consumer group (PROJECTOR_SOURCE=kafka) parks the same way; its batches wait
while a replay runs.

Exit codes: 0 listed / all replayed, 1 some still fail, 2 usage error.`,
  async run(args) {
    const { values, positionals } = parseOptions(
      args,
      { projection: { type: 'string' }, stream: { type: 'string' }, all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
      true,
    );
    const [action, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected ${extra.join(' ')}`);
    if (action === 'list') return list(values.projection, values.all, values.json);
    if (action === 'replay') return replay(values.projection, values.stream);
    throw new UsageError('say list or replay');
  },
};

async function list(projection: string | undefined, all: boolean, json: boolean): Promise<number> {
  if (projection !== undefined) selectProjections([projection], false);
  return withTooling(async ({ pool }) => {
    const rows = await listParked(pool, { projection, all });
    if (json) {
      for (const row of rows) process.stdout.write(`${JSON.stringify({ ...row, position: formatPosition(row.position) })}\n`);
    } else {
      for (const row of rows) process.stdout.write(`${describe(row)}\n`);
      process.stdout.write(`${rows.length} parked event(s)${all ? '' : ' waiting'}\n`);
    }
    return 0;
  });
}

async function replay(projection: string | undefined, stream: string | undefined): Promise<number> {
  const selected = selectProjections(projection === undefined ? [] : [projection], projection === undefined);
  return withTooling(async ({ pool, store, config }) => {
    const cache = await connectCache(config.redisUrl, createLogger({ level: 'silent', name: 'iwf-parked' }), { namespace: config.cacheNamespace, whenUnreachable: 'memory' });
    try {
      let failures = 0;
      for (const chosen of selected) {
        const outcome = await replayParked({ pool, store, projection: chosen, cache: cache.redis ? cache.cache : undefined, stream });
        for (const row of outcome.replayed) process.stdout.write(`replayed ${describe(row)}\n`);
        for (const { row, error } of outcome.failed) process.stdout.write(`FAILED   ${describe({ ...row, error })}\n`);
        for (const row of outcome.waiting) process.stdout.write(`waiting  ${describe(row)}\n`);
        failures += outcome.failed.length;
      }
      return failures > 0 ? 1 : 0;
    } finally {
      await cache.close();
    }
  });
}

function describe(row: ParkedRow): string {
  const state = row.replayed_at ? `replayed ${row.replayed_at.toISOString()}` : `${row.reason}, ${row.attempts} attempt(s)`;
  return `${row.projection} ${row.stream_id}@${row.stream_revision} ${row.event_type} (position ${formatPosition(row.position)}, parked ${row.parked_at.toISOString()}, ${state}): ${row.error}`;
}
