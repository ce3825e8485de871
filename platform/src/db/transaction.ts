import type pg from 'pg';

/**
 * Runs `run` inside BEGIN … COMMIT on a client the caller holds; any failure rolls back and is
 * rethrown (a failed ROLLBACK, on a broken connection, does not hide it).
 */
export async function inTransaction<T>(client: pg.PoolClient, run: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await run();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** `inTransaction` on a connection of the pool, released afterwards. */
export async function withTransaction<T>(pool: pg.Pool, run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, () => run(client));
  } finally {
    client.release();
  }
}
