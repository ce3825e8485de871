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
  readonly restart?: string;
  readonly command?: string[];
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

/** The variables that shape the file, left out of the shell's environment unless a test sets them. */
const SHAPING = ['EVENT_STORE', 'PROJECTOR_SOURCE', 'KAFKA_BROKERS', 'KAFKA_EVENTS_TOPIC', 'KAFKA_INTEGRATION_TOPIC', 'KAFKA_GROUP_ID', 'KAFKA_TOPIC_PARTITIONS'];

/** The file as docker-compose resolves it (anchors merged, paths absolute), per set of profiles and environment. */
function resolvedWith(env: Readonly<Record<string, string>>, ...profiles: string[]): Promise<Record<string, Service>> {
  const key = `${profiles.join(',')} ${JSON.stringify(env)}`;
  let services = cache.get(key);
  if (!services) {
    const args = [...profiles.flatMap((profile) => ['--profile', profile]), '--file', join(ROOT, 'docker-compose.yml'), 'config'];
    const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SHAPING.includes(name)));
    services = run(COMPOSE, args, { ...base, ...env, COMPOSE_PROJECT_NAME: 'iwf' }).then((text) => (parse(text) as { services: Record<string, Service> }).services);
    cache.set(key, services);
  }
  return services;
}

const resolved = (...profiles: string[]): Promise<Record<string, Service>> => resolvedWith({}, ...profiles);

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
    expect(inProfile('scale-out')).toEqual(['kafka', 'kafka-topics', 'kurrentdb', 'relay']);
    expect(inProfile('kafka')).toEqual(['kafka', 'kafka-topics', 'relay']);
    expect(inProfile('kurrentdb')).toEqual(['kurrentdb']);
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
    // Every service a condition waits on can report health (its own healthcheck, or the image's),
    // or, waited on to complete, is a one-shot job that is not restarted.
    const all = await resolved('tracing', 'scale-out');
    for (const [name, service] of Object.entries(all)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = all[dependency];
        if (condition === 'service_completed_successfully') expect(target?.restart, `${name} waits for ${dependency} to finish`).toBe('no');
        else expect(target?.healthcheck ?? target?.build, `${name} waits on ${dependency}`).toBeDefined();
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

  it("Prometheus scrapes every service process's metrics port, in every profile (those of profiles only when they run)", async () => {
    const services = await resolvedWith({ PROJECTOR_SOURCE: 'kafka' }, 'scale-out', 'kafka');
    const processes = Object.entries(services)
      .filter(([, service]) => /\/(command-service|query-service|projector):/.test(service.image ?? ''))
      .map(([name, service]) => ({ name, always: !service.profiles?.length }));
    expect(processes.map((process) => process.name)).toEqual(expect.arrayContaining(['command-service', 'query-service', 'projector', 'relay']));
    type Job = { job_name: string; static_configs?: { targets: string[] }[]; dns_sd_configs?: { names: string[]; type: string; port: number }[] };
    const { scrape_configs: jobs } = parse(await readFile(join(ROOT, 'monitoring/prometheus/prometheus.yml'), 'utf8')) as { scrape_configs: Job[] };
    const jobOf = (name: string, always: boolean): string | undefined =>
      jobs.find((job) =>
        always
          ? job.static_configs?.some((config) => config.targets.includes(`${name}:9090`))
          : job.dns_sd_configs?.some((config) => config.names.includes(name) && config.type === 'A' && config.port === 9090),
      )?.job_name;
    // A process of a profile is found by DNS, so Prometheus sees no target (and no APIDown) while it is not running.
    for (const { name, always } of processes) expect(jobOf(name, always), name).toBeDefined();
    expect(jobOf('relay', false)).toBe('projector');
  });

  it('runs EVENT_STORE=postgres PROJECTOR_SOURCE=kafka with the kafka profile: broker, topics, and both projectors relaying and consuming', async () => {
    const services = await resolvedWith({ PROJECTOR_SOURCE: 'kafka' }, 'kafka');
    // What `up` starts with the profile, and all that any of it waits for: no KurrentDB.
    const started = Object.entries(services).filter(([, service]) => !service.profiles?.length || service.profiles.includes('kafka')).map(([name]) => name);
    expect(started).not.toContain('kurrentdb');
    for (const name of started) for (const dependency of Object.keys(services[name]?.depends_on ?? {})) expect(started, `${name} waits on ${dependency}`).toContain(dependency);
    for (const name of ['projector', 'relay']) {
      expect(services[name]?.environment, name).toMatchObject({
        EVENT_STORE: 'postgres',
        PROJECTOR_SOURCE: 'kafka',
        KAFKA_RELAY: 'on',
        KAFKA_BROKERS: 'kafka:9092',
        KAFKA_EVENTS_TOPIC: 'iwf.events',
        KAFKA_INTEGRATION_TOPIC: 'iwf.integration',
        KAFKA_GROUP_ID: 'iwf-projector',
        KAFKA_IDEMPOTENT: 'on',
      });
    }
    // The relay starts once the topics exist; they are created once Kafka answers.
    expect(services['relay']?.depends_on).toMatchObject({ 'kafka-topics': { condition: 'service_completed_successfully' }, postgres: { condition: 'service_healthy' } });
    expect(services['kafka-topics']?.depends_on).toEqual({ kafka: { condition: 'service_healthy' } });
    expect(services['kafka']?.environment).toMatchObject({ KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false', KAFKA_ADVERTISED_LISTENERS: expect.stringContaining('PLAINTEXT://kafka:9092') });
  });

  it('creates the topics the projectors read, under the names they are given', async () => {
    const services = await resolvedWith({ PROJECTOR_SOURCE: 'kafka', KAFKA_EVENTS_TOPIC: 'acme.events', KAFKA_INTEGRATION_TOPIC: 'acme.integration', KAFKA_TOPIC_PARTITIONS: '24' }, 'kafka');
    const topics = services['kafka-topics'];
    expect(topics?.image).toBe(services['kafka']?.image);
    expect(topics?.environment).toEqual({ KAFKA_EVENTS_TOPIC: 'acme.events', KAFKA_INTEGRATION_TOPIC: 'acme.integration', KAFKA_TOPIC_PARTITIONS: '24' });
    for (const name of ['projector', 'relay']) expect(services[name]?.environment).toMatchObject({ KAFKA_EVENTS_TOPIC: 'acme.events', KAFKA_INTEGRATION_TOPIC: 'acme.integration' });
    const script = topics?.command?.join(' ') ?? '';
    // Compose prints the script escaped ($$); the container's shell gets single dollars.
    expect(script).toContain('for topic in "$$KAFKA_EVENTS_TOPIC" "$$KAFKA_INTEGRATION_TOPIC"');
    expect(script).toMatch(/kafka-topics\.sh --bootstrap-server kafka:9092 --create --if-not-exists\s+--topic "\$\$topic" --partitions "\$\$KAFKA_TOPIC_PARTITIONS"/);
  });

  it('never mixes sources: without PROJECTOR_SOURCE both projector processes read the store, with it both read Kafka', async () => {
    for (const [env, source] of [[{}, 'store'], [{ PROJECTOR_SOURCE: 'kafka' }, 'kafka']] as const) {
      const services = await resolvedWith(env, 'scale-out');
      expect([services['projector']?.environment?.['PROJECTOR_SOURCE'], services['relay']?.environment?.['PROJECTOR_SOURCE']]).toEqual([source, source]);
    }
  });
});
