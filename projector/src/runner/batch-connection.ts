import type pg from 'pg';
import { isTransientError } from './errors.js';

/**
 * Runs one batch transaction on a connection of its own; `run` issues BEGIN and COMMIT (or an
 * early ROLLBACK) itself. On a failure the transaction is rolled back; a connection that failed
 * (a transient error, or a ROLLBACK that did not go through) is destroyed rather than handed to
 * the next user. Errors the connection raises while checked out also fail the running query;
 * they are kept from crashing the process.
 */
export async function onBatchConnection<T>(pool: pg.Pool, run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const ignore = (): void => undefined;
  client.on('error', ignore);
  let broken: unknown;
  try {
    return await run(client);
  } catch (error) {
    if (isTransientError(error)) broken = error;
    else await client.query('ROLLBACK').catch((rollbackError: unknown) => (broken = rollbackError));
    throw error;
  } finally {
    client.off('error', ignore);
    client.release(broken === undefined ? undefined : broken instanceof Error ? broken : true);
  }
}
