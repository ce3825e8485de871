import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventStoreMigrations } from '@iwf/command-service/event-store/index';
import { migrateUp } from '@iwf/platform/db/migrations';
import type { TestDatabase } from '@iwf/platform/testing/database';
import { createTestDatabase } from '@iwf/platform/testing/database';
import { CSV_COLUMNS, csvCell } from './export.js';
import { iwf, toolingEnv } from './testing/cli.js';
import { appendLoad, generateLoad } from './testing/load.js';

let db: TestDatabase;
let pool: pg.Pool;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase('export');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await migrateUp(pool, eventStoreMigrations);
  await appendLoad(pool, generateLoad({ tenants: 2, orders: 60, seed: 4 }));
  env = toolingEnv(db.url);
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

const count = async (where: string, params: unknown[]): Promise<number> =>
  Number((await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM iwf_events.events WHERE ${where}`, params)).rows[0]!.n);
const ndjson = (text: string): Record<string, unknown>[] => text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

/** A CSV reader for the test: quoted cells with doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted && char === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (!quoted && char === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && char === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += char;
    }
  }
  return rows;
}

describe('iwf export', () => {
  it("writes a tenant's events as NDJSON to a file, in log order, with their metadata and data", async () => {
    const out = join(tmpdir(), `iwf-export-${process.pid}.ndjson`);
    const result = await iwf(['export', '--format', 'ndjson', '--tenant', 'load-4-1', '--out', out], env);
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const lines = ndjson(readFileSync(out, 'utf8'));
    expect(lines).toHaveLength(await count("metadata->>'tenant' = $1", ['load-4-1']));
    expect(lines.every((line) => (line['metadata'] as { tenant: string }).tenant === 'load-4-1')).toBe(true);
    expect(Object.keys(lines[0]!)).toEqual(['position', 'stream_id', 'stream_revision', 'event_id', 'type', 'schema_version', 'recorded_at', 'metadata', 'data']);
    const ordered = await pool.query<{ event_id: string }>("SELECT event_id::text FROM iwf_events.events WHERE metadata->>'tenant' = 'load-4-1' ORDER BY tx_id, position");
    expect(lines.map((line) => line['event_id'])).toEqual(ordered.rows.map((row) => row.event_id));
  });

  it('filters by actor and by stream, and by recorded time', async () => {
    const byActor = ndjson((await iwf(['export', '--format', 'ndjson', '--all-tenants', '--actor', 'manager-1'], env)).stdout);
    expect(byActor.length).toBe(await count("metadata->>'actor' = 'manager-1'", []));
    expect(new Set(byActor.map((line) => line['type']))).toEqual(new Set(['ApprovalApproved', 'ApprovalRejected']));

    const stream = String(byActor[0]!['stream_id']);
    const byStream = ndjson((await iwf(['export', '--format', 'ndjson', '--all-tenants', '--stream', stream], env)).stdout);
    expect(byStream.map((line) => line['stream_revision'])).toEqual([0, 1]);

    const future = await iwf(['export', '--format', 'ndjson', '--all-tenants', '--from', '2100-01-01T00:00:00Z'], env);
    expect(future).toMatchObject({ code: 0, stdout: '' });
    const all = ndjson((await iwf(['export', '--format', 'ndjson', '--all-tenants', '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z'], env)).stdout);
    expect(all).toHaveLength(await count('true', []));
  });

  it('writes CSV with a header and RFC 4180 quoting, the JSON columns intact', async () => {
    const result = await iwf(['export', '--format', 'csv', '--tenant', 'load-4-0'], env);
    expect(result.code).toBe(0);
    const [header, ...rows] = parseCsv(result.stdout);
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(await count("metadata->>'tenant' = $1", ['load-4-0']));
    for (const row of rows) {
      expect(row).toHaveLength(CSV_COLUMNS.length);
      expect(JSON.parse(row[12]!)).toMatchObject({ tenant: 'load-4-0' });
      expect(() => JSON.parse(row[11]!) as unknown).not.toThrow();
    }
    expect(csvCell('a,"b"\nc')).toBe('"a,""b""\nc"');
    expect(csvCell('plain')).toBe('plain');
  });

  it('refuses bad usage with exit 2', async () => {
    for (const args of [['export'], ['export', '--format', 'ndjson'], ['export', '--format', 'xml', '--tenant', 't'], ['export', '--format', 'csv', '--tenant', 't', '--from', 'yesterday']]) {
      expect((await iwf(args, env)).code, args.join(' ')).toBe(2);
    }
  });
});
