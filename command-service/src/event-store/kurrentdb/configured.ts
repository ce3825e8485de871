import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import type pg from 'pg';
import type { EventStore } from '@iwf/contracts';
import type { ScaleOutConfig } from '@iwf/platform/config/scale-out';
import { createPostgresEventStore } from '../postgres/store.js';
import { createKurrentDbEventStore } from './store.js';

export interface ConfiguredStoreOptions {
  readonly scaleOut: ScaleOutConfig;
  /** The PostgreSQL pool (the PostgreSQL store's home; other tables live there either way). */
  readonly pool: pg.Pool;
  readonly connectionString: string;
  readonly onError: (error: unknown) => void;
}

/** The event store `EVENT_STORE` names: PostgreSQL (default) or KurrentDB at `KURRENTDB_URL`. */
export function createConfiguredEventStore(options: ConfiguredStoreOptions): EventStore {
  const { scaleOut } = options;
  if (scaleOut.eventStore === 'kurrentdb') {
    if (!scaleOut.kurrentDbUrl) throw new Error('EVENT_STORE=kurrentdb needs KURRENTDB_URL');
    return createKurrentDbEventStore({ client: KurrentDBClient.connectionString(scaleOut.kurrentDbUrl), ownsClient: true, onError: options.onError });
  }
  return createPostgresEventStore({ pool: options.pool, connectionString: options.connectionString, onError: options.onError });
}
