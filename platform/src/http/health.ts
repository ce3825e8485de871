import type { HttpApp } from './app.js';

export type ReadinessCheck = () => Promise<void>;

/**
 * `/health` says the process is alive; `/ready` names each dependency and whether it answers.
 * Without one of `checks` the service cannot answer (503, `not_ready`). `caches` (Redis) only
 * speed it up: while one is away requests go to PostgreSQL, so the answer stays 200, `degraded`,
 * and a cache outage never takes every replica out of a load balancer.
 */
export function registerHealthRoutes(
  app: HttpApp,
  version: string,
  checks: Readonly<Record<string, ReadinessCheck>>,
  caches: Readonly<Record<string, ReadinessCheck>> = {},
): void {
  app.get('/health', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok', version }));
  app.get('/ready', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const [required, optional] = await Promise.all([answers(checks), answers(caches)]);
    const ready = required.every(([, status]) => status === 'ok');
    const whole = ready && optional.every(([, status]) => status === 'ok');
    const status = whole ? 'ready' : ready ? 'degraded' : 'not_ready';
    return reply.status(ready ? 200 : 503).send({ status, checks: Object.fromEntries([...required, ...optional]) });
  });
}

function answers(checks: Readonly<Record<string, ReadinessCheck>>): Promise<(readonly [string, 'ok' | 'unavailable'])[]> {
  return Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), 2_000);
        return [name, 'ok'] as const;
      } catch {
        return [name, 'unavailable'] as const;
      }
    }),
  );
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
