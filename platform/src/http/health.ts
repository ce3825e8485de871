import type { HttpApp } from './app.js';

export type ReadinessCheck = () => Promise<void>;

/** `/health` says the process is alive; `/ready` says each dependency answers (503 otherwise). */
export function registerHealthRoutes(app: HttpApp, version: string, checks: Readonly<Record<string, ReadinessCheck>>): void {
  app.get('/health', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok', version }));
  app.get('/ready', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2_000);
          return [name, 'ok'] as const;
        } catch {
          return [name, 'unavailable'] as const;
        }
      }),
    );
    const ready = results.every(([, status]) => status === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
