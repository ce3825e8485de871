import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, run } from '../support/processes.js';

// Debian's docker-compose (v1.29) validates and resolves the file without a Docker engine.
const COMPOSE = 'docker-compose';

interface Service {
  readonly image?: string;
  readonly build?: unknown;
  readonly profiles?: string[];
  readonly ports?: { published: number | string; target: number }[] | string[];
  readonly depends_on?: Record<string, { condition: string }>;
  readonly healthcheck?: Record<string, unknown>;
  readonly read_only?: boolean;
  readonly user?: string;
  readonly environment?: Record<string, string>;
  readonly volumes?: string[];
}

const cache = new Map<string, Promise<Record<string, Service>>>();

/** The file as docker-compose resolves it (anchors merged, paths absolute), per set of profiles. */
function resolved(...profiles: string[]): Promise<Record<string, Service>> {
  const key = profiles.join(',');
  let services = cache.get(key);
  if (!services) {
    const args = [...profiles.flatMap((profile) => ['--profile', profile]), '--file', join(ROOT, 'docker-compose.yml'), 'config'];
    services = run(COMPOSE, args, { ...process.env, COMPOSE_PROJECT_NAME: 'iwf' }).then((text) => (parse(text) as { services: Record<string, Service> }).services);
    cache.set(key, services);
  }
  return services;
}

function published(service: Service | undefined): string[] {
  return (service?.ports ?? []).map((port) => (typeof port === 'string' ? port : `${port.published}:${port.target}`));
}

describe('docker-compose.yml', () => {
  it('passes docker-compose config, and a broken copy does not (the check checks)', async () => {
    await run(COMPOSE, ['--file', join(ROOT, 'docker-compose.yml'), 'config', '--quiet']);
    const dir = await mkdtemp(join(tmpdir(), 'iwf-compose-'));
    try {
      const broken = (await readFile(join(ROOT, 'docker-compose.yml'), 'utf8')).replace('condition: service_healthy', 'condition: when_it_feels_like_it');
      await writeFile(join(dir, 'docker-compose.yml'), broken);
      await expect(run(COMPOSE, ['--file', join(dir, 'docker-compose.yml'), 'config', '--quiet'])).rejects.toThrow(/condition/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('runs the seed services plus the three of ours and a gateway by default, the rest behind profiles', async () => {
    const services = await resolved('tracing', 'scale-out');
    const inProfile = (profile?: string): string[] =>
      Object.entries(services)
        .filter(([, service]) => (profile ? service.profiles?.includes(profile) : !service.profiles?.length))
        .map(([name]) => name)
        .sort();
    expect(inProfile()).toEqual(
      ['command-service', 'gateway', 'grafana', 'postgres', 'postgres-exporter', 'projector', 'prometheus', 'query-service', 'redis', 'redis-exporter'].sort(),
    );
    expect(inProfile('tracing')).toEqual(['jaeger', 'otel-collector']);
    expect(inProfile('scale-out')).toEqual(['kafka', 'kurrentdb', 'relay']);
    expect(services['kafka']?.environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
  });

  it('publishes the ports of the operations guide', async () => {
    const services = await resolved();
    expect(published(services['gateway'])).toEqual(['8080:8080']);
    expect(published(services['prometheus'])).toEqual(['9091:9090']);
    expect(published(services['grafana'])).toEqual(['3000:3000']);
    expect(published(services['postgres'])).toEqual(['5432:5432']);
    expect(published(services['redis'])).toEqual(['6379:6379']);
    expect(published(services['postgres-exporter'])).toEqual(['9187:9187']);
    expect(published(services['redis-exporter'])).toEqual(['9121:9121']);
    expect(published(services['command-service'])).toEqual(['8081:8080', '9190:9090']);
    expect(published(services['query-service'])).toEqual(['8082:8080', '9191:9090']);
    expect(published(services['projector'])).toEqual(['9192:9090']);
  });

  it('starts each service only after what it needs is healthy', async () => {
    const services = await resolved();
    const conditions = (name: string): Record<string, string> =>
      Object.fromEntries(Object.entries(services[name]?.depends_on ?? {}).map(([dependency, value]) => [dependency, value.condition]));
    expect(conditions('command-service')).toEqual({ postgres: 'service_healthy', redis: 'service_healthy' });
    expect(conditions('projector')).toEqual({ postgres: 'service_healthy', redis: 'service_healthy' });
    expect(conditions('query-service')).toEqual({ postgres: 'service_healthy', redis: 'service_healthy', projector: 'service_healthy' });
    expect(conditions('gateway')).toEqual({ 'command-service': 'service_healthy', 'query-service': 'service_healthy' });
    expect(conditions('grafana')).toEqual({ prometheus: 'service_healthy' });
    // Every service a condition waits on can report health (its own healthcheck, or the image's).
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        const target = services[dependency];
        expect(target?.healthcheck ?? target?.build, `${name} waits on ${dependency}`).toBeDefined();
      }
    }
  });

  it('runs the application containers as a non-root user on a read-only root filesystem', async () => {
    const services = await resolved();
    for (const name of ['command-service', 'query-service', 'projector', 'gateway']) {
      expect(services[name]?.read_only, name).toBe(true);
    }
    for (const name of ['command-service', 'query-service', 'projector']) expect(services[name]?.user).toBe('1000:1000');
  });

  it('points the gateway at both APIs through its template variables', async () => {
    const gateway = (await resolved())['gateway'];
    expect(gateway?.environment).toMatchObject({ COMMAND_SERVICE_ADDR: 'command-service:8080', QUERY_SERVICE_ADDR: 'query-service:8080', GATEWAY_PORT: '8080' });
    const template = await readFile(join(ROOT, 'infra/gateway/templates/gateway.conf.template'), 'utf8');
    for (const variable of ['COMMAND_SERVICE_ADDR', 'QUERY_SERVICE_ADDR', 'GATEWAY_PORT']) expect(template).toContain(`\${${variable}}`);
  });

  it('mounts only files the repository has: gateway config, database bootstrap, monitoring, collector', async () => {
    const services = await resolved('tracing', 'scale-out');
    const sources = Object.values(services)
      .flatMap((service) => service.volumes ?? [])
      .map((volume) => volume.split(':')[0]!)
      .filter((source) => source.startsWith('/'));
    expect(sources.map((source) => relative(ROOT, source)).sort()).toEqual([
      'infra/gateway/nginx.conf',
      'infra/gateway/templates',
      'infra/otel/collector.yaml',
      'infra/postgres/initdb',
      'monitoring/alerts',
      'monitoring/grafana/dashboards',
      'monitoring/grafana/provisioning',
      'monitoring/prometheus',
    ]);
    for (const source of sources) expect(existsSync(source), source).toBe(true);
    // Prometheus finds its rules beside its config, as monitoring/prometheus/prometheus.yml names them.
    const prometheus = parse(await readFile(join(ROOT, 'monitoring/prometheus/prometheus.yml'), 'utf8')) as { rule_files: string[] };
    expect(prometheus.rule_files).toEqual(['../alerts/*.yml']);
    expect(services['prometheus']?.volumes).toEqual(expect.arrayContaining([`${join(ROOT, 'monitoring/alerts')}:/etc/alerts:ro`]));
  });

  it('runs the relay as a Kafka-fed projector with the relay role in the scale-out profile', async () => {
    const relay = (await resolved('scale-out'))['relay'];
    expect(relay?.environment).toMatchObject({ PROJECTOR_SOURCE: 'kafka', KAFKA_RELAY: 'on', KAFKA_BROKERS: 'kafka:9092' });
  });
});
