import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Child processes the crash and takeover tests start (and kill) many times. Run through
 * vite-node each start costs seconds of TypeScript transformation; bundled once per test
 * run with esbuild (vite's own), from the current sources, each start is a plain `node`.
 * Workspace packages are bundled from src; npm packages stay external, imported by the
 * absolute path they resolve to from the importing source file.
 */
const require = createRequire(import.meta.url);
const VITE = createRequire(require.resolve('vitest/package.json')).resolve('vite');
const ESBUILD = createRequire(VITE).resolve('esbuild');
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const PACKAGES = ['contracts', 'platform', 'command-service', 'projector', 'query-service'];

interface EsbuildPlugin {
  name: string;
  setup(build: { onResolve(options: { filter: RegExp }, callback: (args: { path: string; resolveDir: string }) => { path: string; external?: boolean } | undefined): void }): void;
}
interface Esbuild {
  build(options: Record<string, unknown>): Promise<unknown>;
}

const npmExternal: EsbuildPlugin = {
  name: 'npm-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@iwf/') || args.path.startsWith('node:')) return undefined;
      try {
        return { path: pathToFileURL(createRequire(join(args.resolveDir, 'index.js')).resolve(args.path)).href, external: true };
      } catch {
        return undefined;
      }
    });
  },
};

// Built once per entry point and test process, from the sources as they are now.
const built = new Map<string, Promise<string>>();

/** Bundles a TypeScript entry point of this repository into one ES module; returns its path. */
export function bundle(entry: string): Promise<string> {
  const source = fileURLToPath(new URL(entry, import.meta.url));
  let file = built.get(source);
  if (!file) built.set(source, (file = build(source)));
  return file;
}

async function build(source: string): Promise<string> {
  const dir = join(tmpdir(), 'iwf-bundles', randomBytes(8).toString('hex'));
  const outfile = join(dir, 'bin', 'main.mjs');
  // The services read their version from `../package.json` beside their module.
  mkdirSync(join(dir, 'bin'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true, "version": "0.0.0-test" }\n');
  const esbuild = (await import(pathToFileURL(ESBUILD).href)) as Esbuild;
  await esbuild.build({
    entryPoints: [source],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    alias: Object.fromEntries(PACKAGES.map((name) => [`@iwf/${name}`, join(ROOT, name, 'src')])),
    plugins: [npmExternal],
  });
  return outfile;
}
