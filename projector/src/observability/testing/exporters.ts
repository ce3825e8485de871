import { spawn } from 'node:child_process';
import { requireBinary } from './binaries.js';
import { freePort } from '@iwf/platform/testing/ports';

/** The jobs of monitoring/prometheus/prometheus.yml that scrape an exporter rather than a service. */
export type ExporterJob = 'postgres-exporter' | 'redis-exporter';

export interface RunningExporter {
  readonly job: ExporterJob;
  /** host:port, as a Prometheus target. */
  readonly target: string;
  readonly metricsUrl: string;
  stop(): Promise<void>;
}

/** Debian's prometheus-postgres-exporter on a free loopback port, reading the server of `databaseUrl`. */
export function startPostgresExporter(databaseUrl: string): Promise<RunningExporter> {
  const dataSource = new URL(databaseUrl);
  if (!dataSource.searchParams.has('sslmode')) dataSource.searchParams.set('sslmode', 'disable');
  return startExporter('postgres-exporter', 'prometheus-postgres-exporter', (address) => [`--web.listen-address=${address}`, '--log.level=warn'], {
    DATA_SOURCE_NAME: dataSource.toString(),
  });
}

/** Debian's prometheus-redis-exporter on a free loopback port, reading the Redis at `redisUrl`. */
export function startRedisExporter(redisUrl: string): Promise<RunningExporter> {
  return startExporter('redis-exporter', 'prometheus-redis-exporter', (address) => ['-redis.addr', redisUrl, '-web.listen-address', address], {});
}

async function startExporter(job: ExporterJob, binaryName: string, args: (address: string) => string[], env: Readonly<Record<string, string>>): Promise<RunningExporter> {
  const binary = requireBinary(binaryName, binaryName);
  const target = `127.0.0.1:${await freePort()}`;
  const child = spawn(binary, args(target), { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const metricsUrl = `http://${target}/metrics`;
  const deadline = Date.now() + 30_000;
  while (!(await fetch(metricsUrl).then((response) => response.ok, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${binaryName} did not start:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    job,
    target,
    metricsUrl,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
