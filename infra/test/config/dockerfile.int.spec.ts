import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/processes.js';

// No Docker engine here: the image is built in CI (docker.yml). This checks the file's promises:
// the bundle step it runs is the one the bundle test starts, and the runtime stage is locked down.
interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

describe('infra/docker/Dockerfile', () => {
  it('builds in one stage and runs the bundle, non-root, with a healthcheck, in another', async () => {
    const all = instructions(await readFile(join(ROOT, 'infra/docker/Dockerfile'), 'utf8'));
    const stages = all.filter((instruction) => instruction.keyword === 'FROM').map((instruction) => instruction.args);
    expect(stages).toEqual(['${NODE_IMAGE} AS build', '${NODE_IMAGE} AS runtime']);
    const runtimeStart = all.findIndex((instruction) => instruction.args === '${NODE_IMAGE} AS runtime');
    const build = all.slice(0, runtimeStart);
    const runtime = all.slice(runtimeStart);

    expect(build.some((instruction) => instruction.keyword === 'RUN' && instruction.args.includes('pnpm install --offline --frozen-lockfile'))).toBe(true);
    expect(build.some((instruction) => instruction.keyword === 'RUN' && instruction.args.includes('bash scripts/bundle.sh "$SERVICE" /out'))).toBe(true);

    expect(runtime.filter((instruction) => instruction.keyword === 'COPY').map((instruction) => instruction.args)).toEqual(['--from=build /out /app']);
    expect(runtime.filter((instruction) => instruction.keyword === 'USER').map((instruction) => instruction.args)).toEqual(['1000:1000']);
    expect(runtime.filter((instruction) => instruction.keyword === 'RUN')).toEqual([]);
    const healthcheck = runtime.find((instruction) => instruction.keyword === 'HEALTHCHECK');
    expect(healthcheck?.args).toContain('/health');
    expect(healthcheck?.args).toContain('HEALTH_PORT');
    expect(runtime.find((instruction) => instruction.keyword === 'CMD')?.args).toBe('["dist/main.js"]');
  });

  it('keeps dependencies, build output and history out of the build context', async () => {
    const ignored = (await readFile(join(ROOT, 'infra/docker/Dockerfile.dockerignore'), 'utf8')).split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.git', '**/node_modules', '**/dist', '.env']));
  });
});
