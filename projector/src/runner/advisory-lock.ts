import type pg from 'pg';

// First key of the two-key advisory lock form; the second is a hash of the projection name.
const LOCK_NAMESPACE = 0x1f0_7e57;

/**
 * Session-level advisory lock that makes one runner the active instance of a projection.
 * It lives on a connection of its own, held for as long as the lock is: if that connection
 * dies, PostgreSQL releases the lock, and `onLost` tells the runner to step down.
 */
export class ProjectionLock {
  private client: pg.PoolClient | undefined;
  private locked = false;
  private readonly onError = (error: Error): void => this.dropped(error);

  constructor(
    private readonly pool: pg.Pool,
    private readonly projection: string,
    private readonly onLost: (error: Error) => void,
  ) {}

  get held(): boolean {
    return this.locked;
  }

  /** One attempt; true when this session now holds the lock. */
  async tryAcquire(): Promise<boolean> {
    if (this.locked) return true;
    const client = await this.pool.connect();
    // A checked-out client has no listener of the pool's; an unheard 'error' would crash the process.
    client.on('error', this.onError);
    this.client = client;
    let locked: boolean;
    try {
      const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [
        LOCK_NAMESPACE,
        this.projection,
      ]);
      locked = result.rows[0]?.locked === true;
    } catch (error) {
      this.discard(error);
      throw error;
    }
    if (!locked) this.discard();
    this.locked = locked;
    return locked;
  }

  async release(): Promise<void> {
    if (!this.client) return;
    if (!this.locked) return this.discard();
    try {
      await this.client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, this.projection]);
      this.discard();
    } catch (error) {
      // Destroying the connection releases the lock as surely as unlocking does.
      this.discard(error);
    }
  }

  /** Gives the connection back to the pool, or destroys it after an error. */
  private discard(error?: unknown): void {
    const client = this.client;
    this.client = undefined;
    this.locked = false;
    if (!client) return;
    client.off('error', this.onError);
    client.release(error === undefined ? undefined : error instanceof Error ? error : true);
  }

  private dropped(error: Error): void {
    const wasLocked = this.locked;
    this.discard(error);
    if (wasLocked) this.onLost(error);
  }
}
