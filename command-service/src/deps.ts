import type pg from 'pg';
import type { EventStore } from '@iwf/contracts';

/** What the command side needs from the outside world; passed in, never imported. */
export interface CommandServiceDeps {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly clock: () => Date;
  readonly newId: () => string;
}
