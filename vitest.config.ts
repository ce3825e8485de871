import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = ['contracts', 'platform', 'command-service', 'projector', 'query-service', 'bench'];

// Tests import sibling packages from source, so a test run needs no prior build.
const alias = packages.flatMap((name) => {
  const src = fileURLToPath(new URL(`./${name}/src/`, import.meta.url));
  return [
    { find: new RegExp(`^@iwf/${name}$`), replacement: `${src}index.ts` },
    { find: new RegExp(`^@iwf/${name}/(.*)$`), replacement: `${src}$1.ts` },
  ];
});

export default defineConfig({
  resolve: { alias },
  test: {
    // Two test files at a time for the two cores. Vitest's default is one fewer worker than
    // cores, which left a single worker; the per-project pool limits do not raise that.
    maxWorkers: 2,
    minWorkers: 1,
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['*/src/**/*.unit.spec.ts'] },
      },
      {
        resolve: { alias },
        test: {
          name: 'int',
          include: ['*/src/**/*.int.spec.ts', '*/src/**/*.e2e.spec.ts', 'infra/test/**/*.int.spec.ts', 'infra/test/**/*.e2e.spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Each integration file gets its own database, so files run side by side.
        },
      },
    ],
  },
});
