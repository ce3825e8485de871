/**
 * One consumer-group member in its own process, so a test can SIGKILL it mid-batch.
 * Env: IWF_TEST_DATABASE_URL, IWF_KAFKA_BROKERS, IWF_KAFKA_TOPIC, IWF_KAFKA_GROUP,
 * IWF_SESSION_TIMEOUT_MS. Prints "applied <n> <c>" after each committed batch (c: events the
 * probe's checkpoint already covered, so they were not handed to it); SIGTERM stops it cleanly.
 */
import pg from 'pg';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { projections } from '../../read-models.js';
import { createKafka, parseBrokers } from '../client.js';
import { KafkaGroupProjector } from '../consumer/group-projector.js';
import { probeProjection } from './probe.js';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const pool = new pg.Pool({ connectionString: env('IWF_TEST_DATABASE_URL'), max: 6 });
  pool.on('error', () => undefined);
  const logger = {
    info: () => undefined,
    warn: (fields: object, message: string) => process.stderr.write(`${message} ${JSON.stringify(fields)}\n`),
    error: (fields: object, message: string) => process.stderr.write(`${message} ${JSON.stringify(fields)}\n`),
  };
  const member = new KafkaGroupProjector({
    kafka: createKafka({ brokers: parseBrokers(env('IWF_KAFKA_BROKERS')), clientId: `member-${process.pid}` }, logger),
    pool,
    cache: createMemoryCache(),
    projections: [...projections, probeProjection],
    topic: env('IWF_KAFKA_TOPIC'),
    group: env('IWF_KAFKA_GROUP'),
    logger,
    sessionTimeoutMs: Number(process.env['IWF_SESSION_TIMEOUT_MS'] ?? 6_000),
    heartbeatIntervalMs: 500,
    onApplied: (_partition, events, covered) => process.stdout.write(`applied ${events.length} ${covered.get(probeProjection.name) ?? 0}\n`),
  });
  const stopped = new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
  await member.start();
  process.stdout.write('started\n');
  await stopped;
  await member.stop();
  await pool.end();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`member failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
