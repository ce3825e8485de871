import type pg from 'pg';

// First key of the two-key advisory lock form, apart from the runners' (projection names are hashed into the second).
const REBUILD_NAMESPACE = 0x1f0_7e58;

export class RebuildBusyError extends Error {
  constructor(projection: string) {
    super(`a rebuild of ${projection} is already running`);
    this.name = 'RebuildBusyError';
  }
}

/** One rebuild of a projection at a time (they share the copies' schema), held on a connection of its own. */
export async function withRebuildLock<T>(pool: pg.Pool, projection: string, run: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error): void => void (broken = error);
  client.on('error', onError);
  try {
    const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [REBUILD_NAMESPACE, projection]);
    if (result.rows[0]?.locked !== true) throw new RebuildBusyError(projection);
    try {
      return await run();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [REBUILD_NAMESPACE, projection]).catch((error: Error) => (broken = error));
    }
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
