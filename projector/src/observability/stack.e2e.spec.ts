import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '@iwf/platform/auth/jwt';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { startPostgresExporter, startRedisExporter, type ExporterJob, type RunningExporter } from './testing/exporters.js';
import { mergeExpositions, parseExposition, type Exposition } from './testing/exposition.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './testing/otlp-receiver.js';
import { startPrometheus } from './testing/prometheus.js';
import { alertExpressions, dashboardExpressions, metricNames } from './testing/promql-names.js';
import { startService, type RunningService } from './testing/services.js';
import { sendExecutionTraffic } from './testing/executions-traffic.js';
import { sendTraffic } from './testing/traffic.js';

const SECRET = 'iwf-observability-e2e-secret-0123456789abcdef';
// Declared, but sampled only where a Kafka consumer reports its lag (not in these processes).
const AWAITING_PRODUCER = new Set(['iwf_kafka_consumer_lag']);
// Series of these prefixes come from the exporters (their own metric prefixes), everything else from the services.
const EXPORTED_BY: Readonly<Record<ExporterJob, string>> = { 'postgres-exporter': 'pg_', 'redis-exporter': 'redis_' };

let db: TestDatabase;
let otlp: OtlpReceiver;
let command: RunningService;
let query: RunningService;
let projector: RunningService;
let exporters: RunningExporter[];
let token: string;
const services = (): RunningService[] => [command, query, projector];

beforeAll(async () => {
  db = await createTestDatabase('obs_stack');
  otlp = await startOtlpReceiver();
  const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const env = { APP_ENV: 'test', DATABASE_URL: db.url, REDIS_URL: redisUrl, JWT_SECRET: SECRET, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url };
  // The Debian exporters, on loopback, watching the PostgreSQL and Redis the services use.
  const started = await Promise.allSettled([startPostgresExporter(db.url), startRedisExporter(redisUrl)]);
  exporters = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  for (const result of started) if (result.status === 'rejected') throw result.reason;
  // The projector migrates the read models the query service reads; the query service starts last.
  [command, projector] = await Promise.all([startService('command-service', env), startService('projector', env)]);
  query = await startService('query-service', env);
  token = await mintToken(SECRET, { actor: 'e2e', tenant: `obs${Date.now().toString(36)}`, roles: ['admin'] });
}, 120_000);

afterAll(async () => {
  await Promise.all(services().filter(Boolean).map((service) => service.stop()));
  await Promise.all((exporters ?? []).map((exporter) => exporter.stop()));
  await otlp?.close();
  await db?.drop();
});

/** The value of the one sample of `name` carrying all these labels (in any order). */
function sampleValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const scrape = async (url: string): Promise<Exposition> => parseExposition(await (await fetch(url)).text());
const exporterOf = (name: string): ExporterJob | undefined => exporters.find((exporter) => name.startsWith(EXPORTED_BY[exporter.job]))?.job;

/**
 * The exporters' pages once each of `names` has a sample in its exporter's, or the last ones
 * after 20 s: a database that another test drops during a scrape fails a collector that once.
 */
async function scrapeExporters(names: readonly string[]): Promise<Map<ExporterJob, Exposition>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const pages = new Map(await Promise.all(exporters.map(async (exporter) => [exporter.job, await scrape(exporter.metricsUrl)] as const)));
    if (names.every((name) => pages.get(exporterOf(name)!)?.sampled.has(name)) || Date.now() > deadline) return pages;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the three services, observed', () => {
  it("one trace holds the command's HTTP span, its append and the projector's handling of the event", async () => {
    const { workflowId } = await sendTraffic(command.apiUrl!, query.apiUrl!, token, 'traced_flow');
    const spans = (): readonly ReceivedSpan[] => otlp.spans();
    const append = await eventually('the append span', () => spans().find((span) => span.name === 'eventstore.append' && String(span.attributes['iwf.stream.id']).endsWith(`:${workflowId}`)));
    const server = spans().find((span) => span.spanId === append.parentSpanId);
    expect(server).toMatchObject({ service: 'command-service', kind: 2, traceId: append.traceId });
    expect(server?.name).toMatch(/^POST/);
    // Every projection is handed every event; the workflows read model is the one that keeps this one.
    const projected = await eventually('the projection span', () =>
      spans().find((span) => span.name === 'project WorkflowCreated' && span.parentSpanId === append.spanId && span.attributes['iwf.projection'] === 'workflows'),
    );
    expect(projected).toMatchObject({ service: 'projector', traceId: append.traceId, kind: 5 });
    expect(spans().some((span) => span.traceId === append.traceId && span.parentSpanId === append.spanId && span.name.startsWith('pg.query'))).toBe(true);

    // The traceparent stored with the event is the append's; the request's log lines carry its trace id.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const stored = await client.query<{ traceparent: string }>("SELECT metadata->>'traceparent' AS traceparent FROM iwf_events.events WHERE stream_id LIKE $1", [`%:${workflowId}`]);
    await client.end();
    expect(stored.rows[0]?.traceparent).toBe(`00-${append.traceId}-${append.spanId}-01`);
    expect(command.logs().some((line) => line['trace_id'] === append.traceId && typeof line['reqId'] === 'string')).toBe(true);
  });

  it('a real Prometheus scrapes all three and both exporters (up is 1) and answers a request-rate query', async () => {
    const hostPort = (service: RunningService): string => new URL(service.metricsUrl).host;
    const prometheus = await startPrometheus({
      'command-service': hostPort(command),
      'query-service': hostPort(query),
      projector: hostPort(projector),
      ...Object.fromEntries(exporters.map((exporter) => [exporter.job, exporter.target])),
    });
    try {
      const up = await eventually('five targets up', async () => {
        const samples = await prometheus.query('up');
        return samples.length === 5 && samples.every((sample) => sample.value === 1) ? samples : undefined;
      });
      expect(up.map((sample) => sample.metric['job']).sort()).toEqual(['command-service', 'postgres-exporter', 'projector', 'query-service', 'redis-exporter']);
      // The exporters reach what they watch, not only answer the scrape.
      for (const [series, job] of [['pg_up', 'postgres-exporter'], ['redis_up', 'redis-exporter']] as const) {
        const samples = await eventually(series, async () => {
          const found = await prometheus.query(series);
          return found.length > 0 ? found : undefined;
        });
        expect(samples.map((sample) => [sample.metric['job'], sample.value]), series).toEqual([[job, 1]]);
      }
      await sendTraffic(command.apiUrl!, query.apiUrl!, token, 'scraped_flow');
      const rate = await eventually('a request rate', async () => {
        const samples = await prometheus.query('sum by (job) (rate(http_requests_total[10s]))');
        return samples.filter((sample) => sample.value > 0).length >= 2 ? samples : undefined;
      });
      expect(rate.map((sample) => sample.metric['job']).sort()).toEqual(expect.arrayContaining(['command-service', 'query-service']));
    } finally {
      await prometheus.stop();
    }
  });

  it('every metric a dashboard panel or an alert uses is exported by a running service or exporter', async () => {
    await sendTraffic(command.apiUrl!, query.apiUrl!, token, 'counted_flow');
    await sendExecutionTraffic(command.apiUrl!, query.apiUrl!, token, 'counted');
    // The engine's appends feed the workflow series of the command service.
    await eventually('execution series', async () => {
      const text = await (await fetch(`${command.metricsUrl}/metrics`)).text();
      const expected: [string, Record<string, string>, number][] = [
        ['iwf_workflow_executions_started_total', { workflow: 'run_counted' }, 1],
        ['iwf_workflow_executions_total', { workflow: 'run_counted', status: 'completed', decision: 'allowed' }, 1],
        ['iwf_workflow_step_duration_seconds_count', { workflow: 'gate_counted', step_type: 'approval', status: 'completed' }, 1],
        ['iwf_approvals_requested_total', { workflow: 'gate_counted' }, 2],
        ['iwf_approvals_decided_total', { workflow: 'gate_counted', decision: 'approved' }, 1],
        ['iwf_approval_wait_seconds_count', { decision: 'approved' }, 1],
        ['iwf_approvals_withdrawn_total', { workflow: 'gate_counted', execution_status: 'cancelled' }, 1],
      ];
      return expected.every(([name, labels, value]) => sampleValue(text, name, labels) === value) ? text : undefined;
    }, 10_000);
    const used = new Map<string, string>();
    for (const source of [...dashboardExpressions(), ...alertExpressions()]) for (const name of metricNames(source.expr)) used.set(name, source.where);
    used.delete('up'); // made by Prometheus itself; the scrape test checks it
    // Each name is looked up where it comes from: an exporter's prefix in that exporter's page only.
    const fromExporters = [...used.keys()].filter((name) => exporterOf(name) !== undefined);
    for (const exporter of exporters) expect(fromExporters.some((name) => exporterOf(name) === exporter.job), `a panel or alert uses ${exporter.job}`).toBe(true);
    const exporterPages = await scrapeExporters(fromExporters);
    const servicePages = mergeExpositions(await Promise.all(services().map((service) => scrape(`${service.metricsUrl}/metrics`))));
    const pageOf = (name: string): Exposition => {
      const exporter = exporterOf(name);
      return exporter ? exporterPages.get(exporter)! : servicePages;
    };
    const undeclared = [...used].filter(([name]) => !pageOf(name).declared.has(name) && !pageOf(name).sampled.has(name));
    expect(undeclared, 'used but not exported').toEqual([]);
    const unsampled = [...used.keys()].filter((name) => !pageOf(name).sampled.has(name) && !AWAITING_PRODUCER.has(name));
    expect(unsampled, 'exported without any sample after traffic').toEqual([]);
    // The exemptions stay honest: each is used somewhere and still has no sample.
    for (const name of AWAITING_PRODUCER) {
      expect(used.has(name), `${name} is used`).toBe(true);
      expect(servicePages.sampled.has(name), `${name} now has samples: drop it from AWAITING_PRODUCER`).toBe(false);
    }
  });
});
