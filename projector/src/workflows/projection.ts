import type pg from 'pg';
import type { RecordedEvent, WorkflowVersionView } from '@iwf/contracts';
import { parseStreamId } from '@iwf/contracts';
import { cacheKey } from '@iwf/platform/cache/cache';
import type { WorkflowRow } from '@iwf/query-service/workflows/read-model';
import { WORKFLOW_COLUMNS, toWorkflowView } from '@iwf/query-service/workflows/read-model';
import type { CacheUpdate, Projection } from '../runner/projection.js';
import { EventHandlingError } from '../runner/projection.js';
import type { WorkflowRecord } from './evolve.js';
import { evolveWorkflow } from './evolve.js';

export const WORKFLOWS_PROJECTION = 'workflows';
export const WORKFLOW_CACHE_KIND = 'workflow';

/**
 * The workflows read model. A batch costs three statements whatever its size: load the rows
 * the batch touches, fold the events in memory, write the changed rows and new versions.
 */
export const workflowsProjection: Projection = {
  name: WORKFLOWS_PROJECTION,
  version: 1,
  cacheKinds: [WORKFLOW_CACHE_KIND],
  tables: ['workflows', 'workflow_versions'],
  async apply(tx, events) {
    const relevant = events.filter((event) => parseStreamId(event.stream_id)?.category === 'workflow');
    if (relevant.length === 0) return [];
    const records = await loadRecords(tx, relevant);
    const changed = new Map<string, WorkflowRecord>();
    const versions: VersionRecord[] = [];
    for (const event of relevant) fold(event, records, changed, versions);
    await upsertWorkflows(tx, [...changed.values()]);
    await insertVersions(tx, versions);
    return [...changed.values()].map(toCacheUpdate);
  },
};

interface VersionRecord {
  readonly tenant: string;
  readonly view: WorkflowVersionView;
}

function fold(event: RecordedEvent, records: Map<string, WorkflowRecord>, changed: Map<string, WorkflowRecord>, versions: VersionRecord[]): void {
  try {
    const { tenant, id } = streamKey(event);
    const data = event.data as { workflow_id?: unknown };
    if (data.workflow_id !== id) throw new Error(`event names workflow ${String(data.workflow_id)}, its stream ${id}`);
    const key = keyOf(tenant, id);
    const change = evolveWorkflow(records.get(key), tenant, event);
    if (!change) return;
    records.set(key, change.record);
    changed.set(key, change.record);
    if (change.version) versions.push({ tenant, view: change.version });
  } catch (error) {
    throw new EventHandlingError(WORKFLOWS_PROJECTION, event, error);
  }
}

function streamKey(event: RecordedEvent): { tenant: string; id: string } {
  const parsed = parseStreamId(event.stream_id);
  if (!parsed) throw new Error(`malformed stream id ${event.stream_id}`);
  return { tenant: parsed.tenant, id: parsed.id };
}

function keyOf(tenant: string, id: string): string {
  return `${tenant}:${id}`;
}

interface StoredRow extends WorkflowRow {
  readonly tenant: string;
  readonly trigger_type: string | null;
  readonly trigger_event: string | null;
  readonly last_commit: string;
  readonly last_prepare: string;
}

async function loadRecords(tx: pg.PoolClient, events: readonly RecordedEvent[]): Promise<Map<string, WorkflowRecord>> {
  const tenants: string[] = [];
  const ids: string[] = [];
  for (const event of new Set(events.map((e) => e.stream_id))) {
    const parsed = parseStreamId(event);
    if (parsed) {
      tenants.push(parsed.tenant);
      ids.push(parsed.id);
    }
  }
  const result = await tx.query<StoredRow>(
    `SELECT tenant, ${WORKFLOW_COLUMNS}, trigger_type, trigger_event, last_commit, last_prepare
     FROM iwf_read.workflows JOIN unnest($1::text[], $2::text[]) AS k(tenant, workflow_id) USING (tenant, workflow_id)`,
    [tenants, ids],
  );
  const records = new Map<string, WorkflowRecord>();
  for (const row of result.rows) {
    records.set(keyOf(row.tenant, row.workflow_id), {
      tenant: row.tenant,
      view: toWorkflowView(row),
      trigger_type: row.trigger_type,
      trigger_event: row.trigger_event,
      position: { commit: BigInt(row.last_commit), prepare: BigInt(row.last_prepare) },
    });
  }
  return records;
}

type Fields = readonly (readonly [column: string, type: string])[];
const columnsOf = (fields: Fields): string => fields.map(([column]) => column).join(', ');
const typesOf = (fields: Fields): string => fields.map(([column, type]) => `${column} ${type}`).join(', ');

const WORKFLOW_FIELDS: Fields = [
  ['tenant', 'text'], ['workflow_id', 'text'], ['name', 'text'], ['version', 'text'], ['description', 'text'],
  ['tags', 'text[]'], ['enabled', 'boolean'], ['archived', 'boolean'], ['definition_revision', 'integer'],
  ['revision', 'integer'], ['definition', 'jsonb'], ['metadata', 'jsonb'], ['trigger_type', 'text'],
  ['trigger_event', 'text'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
  ['last_commit', 'bigint'], ['last_prepare', 'bigint'],
];
const ROW_COLUMNS = columnsOf(WORKFLOW_FIELDS);
const KEPT_ON_UPDATE = new Set(['tenant', 'workflow_id', 'created_at']);
const UPDATED_COLUMNS = WORKFLOW_FIELDS.map(([column]) => column).filter((column) => !KEPT_ON_UPDATE.has(column));

// The WHERE keeps the row's own revision guard in SQL too: an older write never lands.
const UPSERT_WORKFLOWS = `
INSERT INTO iwf_read.workflows (${ROW_COLUMNS})
SELECT ${ROW_COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS r(${typesOf(WORKFLOW_FIELDS)})
ON CONFLICT (tenant, workflow_id) DO UPDATE SET ${UPDATED_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
WHERE iwf_read.workflows.revision < EXCLUDED.revision`;

async function upsertWorkflows(tx: pg.PoolClient, records: readonly WorkflowRecord[]): Promise<void> {
  if (records.length === 0) return;
  const rows = records.map((record) => ({
    ...record.view,
    tenant: record.tenant,
    trigger_type: record.trigger_type,
    trigger_event: record.trigger_event,
    last_commit: record.position.commit.toString(),
    last_prepare: record.position.prepare.toString(),
  }));
  await tx.query(UPSERT_WORKFLOWS, [JSON.stringify(rows)]);
}

const VERSION_FIELDS: Fields = [
  ['tenant', 'text'], ['workflow_id', 'text'], ['definition_revision', 'integer'], ['version', 'text'], ['name', 'text'],
  ['description', 'text'], ['tags', 'text[]'], ['definition', 'jsonb'], ['published_at', 'timestamptz'],
];

// Versions are keyed by definition revision, which the fold derives deterministically.
const INSERT_VERSIONS = `
INSERT INTO iwf_read.workflow_versions (${columnsOf(VERSION_FIELDS)})
SELECT ${columnsOf(VERSION_FIELDS)} FROM jsonb_to_recordset($1::jsonb) AS r(${typesOf(VERSION_FIELDS)})
ON CONFLICT DO NOTHING`;

async function insertVersions(tx: pg.PoolClient, versions: readonly VersionRecord[]): Promise<void> {
  if (versions.length === 0) return;
  const rows = versions.map((version) => ({ ...version.view, tenant: version.tenant }));
  await tx.query(INSERT_VERSIONS, [JSON.stringify(rows)]);
}

function toCacheUpdate(record: WorkflowRecord): CacheUpdate {
  return { key: cacheKey(record.tenant, WORKFLOW_CACHE_KIND, record.view.workflow_id), revision: record.view.revision, value: record.view };
}
