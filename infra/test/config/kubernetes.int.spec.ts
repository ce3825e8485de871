/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML; validateManifest checks their shape */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import ts from 'typescript';
import { parse, parseAllDocuments } from 'yaml';
import { readFile } from 'node:fs/promises';
import { loadConfig } from '@iwf/platform/config/config';
import { ROOT, run } from '../support/processes.js';
import { strictCheckSource, validateManifest } from '../support/kubernetes-schemas.js';

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string> };

const OVERLAYS = {
  dev: { namespace: 'intelligent-workflows-dev', apiReplicas: 1, projectorReplicas: 1, requests: { cpu: '50m', memory: '64Mi' }, logLevel: 'debug', hpa: [1, 2], tag: 'develop' },
  staging: { namespace: 'intelligent-workflows-staging', apiReplicas: 2, projectorReplicas: 2, requests: { cpu: '100m', memory: '128Mi' }, logLevel: 'info', hpa: [2, 4], tag: 'staging' },
  production: { namespace: 'intelligent-workflows', apiReplicas: 3, projectorReplicas: 2, requests: { cpu: '200m', memory: '256Mi' }, logLevel: 'warn', hpa: [3, 10], tag: 'latest' },
  // Production with PROJECTOR_SOURCE=kafka (components/kafka).
  kafka: { namespace: 'intelligent-workflows', apiReplicas: 3, projectorReplicas: 2, requests: { cpu: '200m', memory: '256Mi' }, logLevel: 'warn', hpa: [3, 10], tag: 'latest' },
} as const;

/** `kubectl kustomize` (kustomize built into kubectl) renders a folder into its manifests. */
async function build(folder: string): Promise<Manifest[]> {
  const text = await run('kubectl', ['kustomize', folder]);
  return parseAllDocuments(text).map((document) => document.toJSON() as Manifest);
}

const find = (manifests: Manifest[], kind: string, name: string): Manifest => {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};

const rendered: Record<string, Manifest[]> = {};

beforeAll(async () => {
  for (const overlay of Object.keys(OVERLAYS)) rendered[overlay] = await build(join(ROOT, 'infra/k8s/overlays', overlay));
});

describe('Kubernetes manifests', () => {
  it('every overlay builds and each manifest validates against its Kubernetes (or CRD) schema', () => {
    for (const [overlay, manifests] of Object.entries(rendered)) {
      expect(manifests.length, overlay).toBeGreaterThan(20);
      for (const manifest of manifests) {
        const errors = validateManifest(manifest);
        expect(errors, `${overlay}: ${manifest.kind} ${manifest.metadata.name}`).toEqual([]);
      }
    }
  });

  it('the schema check rejects what a cluster would reject (the check checks)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iwf-k8s-'));
    try {
      await mkdir(join(dir, 'broken'));
      await writeFile(join(dir, 'broken/kustomization.yaml'), `resources:\n  - ${relative(join(dir, 'broken'), join(ROOT, 'infra/k8s/base'))}\npatches:\n  - patch: |-\n      - op: replace\n        path: /spec/replicas\n        value: three\n    target:\n      kind: Deployment\n      name: projector\n`);
      const broken = find(await build(join(dir, 'broken')), 'Deployment', 'projector');
      expect(validateManifest(broken).join('\n')).toMatch(/replicas/);
      expect(validateManifest({ apiVersion: 'v1', kind: 'Thing', metadata: { name: 'x' } })).toEqual(['no schema for v1/Thing']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(Object.entries(OVERLAYS))('%s: replicas, resources, log level, image tag and autoscaling as the operations guide says', (overlay, expected) => {
    const manifests = rendered[overlay]!;
    for (const manifest of manifests) if (manifest.kind !== 'Namespace') expect(manifest.metadata.namespace, `${manifest.kind} ${manifest.metadata.name}`).toBe(expected.namespace);
    for (const name of ['command-service', 'query-service', 'projector']) {
      const deployment = find(manifests, 'Deployment', name);
      expect(deployment.spec.replicas).toBe(name === 'projector' ? expected.projectorReplicas : expected.apiReplicas);
      const [container] = deployment.spec.template.spec.containers;
      expect(container.resources.requests).toEqual(expected.requests);
      expect(container.image).toBe(`ghcr.io/intelligent-workflows/intelligent-workflows/${name}:${expected.tag}`);
    }
    expect(find(manifests, 'ConfigMap', 'workflows-config').data?.['LOG_LEVEL']).toBe(expected.logLevel);
    for (const name of ['command-service', 'query-service']) {
      const hpa = find(manifests, 'HorizontalPodAutoscaler', name);
      expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual(expected.hpa);
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
    }
    expect(find(manifests, 'Namespace', expected.namespace).metadata).toBeDefined();
  });

  it('probes /health and /ready, and runs as non-root with a read-only root filesystem and no capabilities', () => {
    for (const manifests of Object.values(rendered)) {
      for (const name of ['command-service', 'query-service', 'projector']) {
        const pod = find(manifests, 'Deployment', name).spec.template.spec;
        const [container] = pod.containers;
        const port = name === 'projector' ? 'metrics' : 'http';
        expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port });
        expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port });
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
        expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
        expect(pod.serviceAccountName).toBe('intelligent-workflows');
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(container.resources.limits).toBeDefined();
      }
    }
  });

  it('routes reads to the query service and writes to the command service behind TLS issued by cert-manager', () => {
    const manifests = rendered['production']!;
    const gateway = find(manifests, 'Gateway', 'workflows');
    expect(gateway.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe('letsencrypt-prod');
    expect(gateway.spec.listeners[0]).toMatchObject({ protocol: 'HTTPS', port: 443, tls: { mode: 'Terminate' } });
    const route = find(manifests, 'HTTPRoute', 'workflows-api');
    const backendOf = (method: string): string =>
      String(route.spec.rules.find((rule: any) => rule.matches.some((match: any) => match.method === method) as boolean).backendRefs[0].name);
    expect(['GET', 'HEAD'].map(backendOf)).toEqual(['query-service', 'query-service']);
    expect(['POST', 'PUT', 'PATCH', 'DELETE'].map(backendOf)).toEqual(['command-service', 'command-service', 'command-service', 'command-service']);
    expect(find(rendered['dev']!, 'Gateway', 'workflows').metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe('letsencrypt-staging');
  });

  it('no overlay carries the secret, so a deploy never replaces the real one; staging and production refuse the template\'s placeholders', async () => {
    for (const [overlay, manifests] of Object.entries(rendered)) expect(manifests.filter((manifest) => manifest.kind === 'Secret'), overlay).toEqual([]);
    const template = parse(await readFile(join(ROOT, 'infra/k8s/base/secret.example.yaml'), 'utf8')) as { metadata: { name: string }; stringData: Record<string, string> };
    const [deployment] = rendered['production']!.filter((manifest) => manifest.kind === 'Deployment');
    const container = deployment!.spec.template.spec.containers[0] as { envFrom: { secretRef?: { name: string } }[] };
    expect(container.envFrom.map((source) => source.secretRef?.name)).toContain(template.metadata.name);
    for (const overlay of ['staging', 'production']) {
      const config = find(rendered[overlay]!, 'ConfigMap', 'workflows-config').data ?? {};
      expect(() => loadConfig({ ...config, ...template.stringData }), overlay).toThrow(/JWT_SECRET: a published placeholder/);
    }
  });

  it("every overlay's image tag is one the image workflows publish", async () => {
    const published = new Set<string>();
    for (const file of ['docker.yml', 'release.yml']) {
      const workflow = parse(await readFile(join(ROOT, '.github/workflows', file), 'utf8')) as { on: { push?: { branches?: string[] } }; jobs: Record<string, { steps: { uses?: string; with?: { tags?: string } }[] }> };
      const tags = Object.values(workflow.jobs).flatMap((job) => job.steps).filter((step) => step.uses?.startsWith('docker/metadata-action')).flatMap((step) => (step.with?.tags ?? '').split('\n'));
      for (const tag of tags) {
        if (tag.trim() === 'type=ref,event=branch') for (const branch of workflow.on.push?.branches ?? []) published.add(branch);
        const raw = /^type=raw,value=([^,]+)/.exec(tag.trim());
        if (raw) published.add(raw[1]!);
      }
    }
    for (const [overlay, expected] of Object.entries(OVERLAYS)) expect([...published], overlay).toContain(expected.tag);
  });

  it('keeps disruption budgets, a ServiceMonitor on the metrics port and default-deny network policies', () => {
    const manifests = rendered['production']!;
    expect(find(manifests, 'PodDisruptionBudget', 'command-service').spec.minAvailable).toBe(2);
    expect(find(manifests, 'PodDisruptionBudget', 'projector').spec.maxUnavailable).toBe(1);
    expect(find(manifests, 'ServiceMonitor', 'intelligent-workflows').spec.endpoints).toEqual([expect.objectContaining({ port: 'metrics', path: '/metrics' })]);
    for (const name of ['command-service', 'query-service', 'projector']) {
      expect(find(manifests, 'Service', name).spec.ports).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'metrics', port: 9090 })]));
    }
    expect(find(manifests, 'NetworkPolicy', 'default-deny-ingress').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });
});

describe('Kubernetes manifests for PROJECTOR_SOURCE=kafka', () => {
  type Container = { name: string; image: string; command?: string[]; args?: string[]; envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[]; env?: { name: string; value: string }[]; securityContext: unknown };

  /** The environment a container of the overlay starts with: its ConfigMap and the secret (the template's keys, values of one's own), then its own env. */
  async function environmentOf(manifests: Manifest[], container: Container): Promise<Record<string, string>> {
    const template = parse(await readFile(join(ROOT, 'infra/k8s/base/secret.example.yaml'), 'utf8')) as { stringData: Record<string, string> };
    const secret = Object.fromEntries(Object.keys(template.stringData).map((key) => [key, `${key.toLowerCase()}-of-this-cluster-0123456789abcdef`]));
    const sources = (container.envFrom ?? []).map((source) => (source.configMapRef ? (find(manifests, 'ConfigMap', source.configMapRef.name).data ?? {}) : secret));
    return Object.assign({}, ...sources, Object.fromEntries((container.env ?? []).map((entry) => [entry.name, entry.value]))) as Record<string, string>;
  }

  it('the kafka overlay feeds the projector replicas from Kafka: the service configuration loads with the Kafka settings, EVENT_STORE stays postgres', async () => {
    const manifests = rendered['kafka']!;
    const [projector] = find(manifests, 'Deployment', 'projector').spec.template.spec.containers as Container[];
    const config = loadConfig(await environmentOf(manifests, projector!));
    expect(config.scaleOut).toEqual({
      eventStore: 'postgres',
      kurrentDbUrl: undefined,
      projectorSource: 'kafka',
      kafka: { brokers: ['kafka-bootstrap.kafka.svc.cluster.local:9092'], clientId: 'iwf', topics: { events: 'iwf.events', integration: 'iwf.integration' }, groupId: 'iwf-projector', relay: true, idempotent: true },
    });
    // Every replica is a relay candidate and a group member; the projector's egress reaches the brokers.
    expect(find(manifests, 'Deployment', 'projector').spec.replicas).toBe(2);
    const rules = find(manifests, 'NetworkPolicy', 'readers-egress').spec.egress as { ports: { port: number }[] }[];
    const egress = rules.flatMap((rule) => rule.ports.map((port) => port.port));
    expect(egress).toContain(9092);
    // The other overlays stay store-fed and create no topics.
    for (const overlay of ['dev', 'staging', 'production']) {
      expect(find(rendered[overlay]!, 'ConfigMap', 'workflows-config').data?.['PROJECTOR_SOURCE'], overlay).toBe('store');
      expect(rendered[overlay]!.filter((manifest) => manifest.kind === 'Job'), overlay).toEqual([]);
    }
  });

  it('a Job creates both topics under the names the projectors read, with the partitions and replication of the config, as a non-root read-only pod', async () => {
    const manifests = rendered['kafka']!;
    const job = find(manifests, 'Job', 'kafka-topics');
    expect(job.metadata.namespace).toBe('intelligent-workflows');
    expect(job.spec).toMatchObject({ backoffLimit: 10, ttlSecondsAfterFinished: 600 });
    const pod = job.spec.template.spec;
    expect(pod).toMatchObject({ restartPolicy: 'OnFailure', automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } } });
    const [container] = pod.containers as Container[];
    expect(container!.image).toBe('apache/kafka:3.9.0');
    expect(container!.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    const env = await environmentOf(manifests, container!);
    expect(env).toMatchObject({ KAFKA_EVENTS_TOPIC: 'iwf.events', KAFKA_INTEGRATION_TOPIC: 'iwf.integration', KAFKA_TOPIC_PARTITIONS: '12', KAFKA_TOPIC_REPLICATION: '3', KAFKA_TOPIC_MIN_ISR: '2', LOG_DIR: '/tmp/logs' });
    // The script, with the shell's variables put in: one idempotent create per topic.
    const script = container!.args!.join('\n');
    expect(container!.command).toEqual(['/bin/sh', '-c']);
    const expanded = script.replace(/\$(\w+)|"\$(\w+)"/g, (whole, bare: string | undefined, quoted: string | undefined) => env[(bare ?? quoted)!] ?? whole);
    expect(expanded).toContain('for topic in iwf.events iwf.integration; do');
    expect(expanded).toMatch(/kafka-topics\.sh --bootstrap-server kafka-bootstrap\.kafka\.svc\.cluster\.local:9092 --create --if-not-exists \\\s+--topic "\$topic" --partitions 12 \\\s+--replication-factor 3 --config "min\.insync\.replicas=2"/);
  });
});

describe('Kubernetes manifests, strictly', () => {
  /** Compiles the manifests as TypeScript values of their kinds; returns the compiler's complaints. */
  async function strictErrors(manifests: Manifest[]): Promise<string[]> {
    // Inside the repository, so the kinds' type packages resolve from its node_modules.
    await mkdir(join(ROOT, 'build'), { recursive: true });
    const file = join(ROOT, 'build', `k8s-strict-${process.pid}-${Date.now()}.ts`);
    await writeFile(file, strictCheckSource(manifests));
    try {
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        types: [],
      });
      return ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    } finally {
      await rm(file, { force: true });
    }
  }

  it('no overlay has a field its kind does not define, and a misspelt field is caught', async () => {
    const all = Object.values(rendered).flat();
    expect(await strictErrors(all)).toEqual([]);
    const deployment = structuredClone(find(rendered['dev']!, 'Deployment', 'query-service'));
    const [container] = deployment.spec.template.spec.containers;
    container.readinesProbe = container.readinessProbe;
    delete container.readinessProbe;
    expect((await strictErrors([deployment])).join('\n')).toMatch(/readinesProbe/);
  });
});
