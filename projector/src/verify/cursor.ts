import type pg from 'pg';

/**
 * Rows of a query in pages from a server-side cursor, inside one read-only repeatable-read
 * transaction: a consistent snapshot of any size in constant memory. The cursor closes
 * when the caller stops iterating, early or not.
 */
export async function* cursorPages<T extends object>(pool: pg.Pool, sql: string, params: readonly unknown[], pageSize = 1_000): AsyncGenerator<T[]> {
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`DECLARE iwf_rows NO SCROLL CURSOR FOR ${sql}`, [...params]);
    for (;;) {
      const page = await client.query<T>(`FETCH ${pageSize} FROM iwf_rows`);
      if (page.rows.length > 0) yield page.rows;
      if (page.rows.length < pageSize) break;
    }
    await client.query('COMMIT');
  } catch (error) {
    failed = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // Also reached when the consumer breaks out early; the transaction is still open then.
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(failed);
  }
}
