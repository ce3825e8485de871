import type pg from 'pg';
import type { EventStore } from '@iwf/contracts';
import type { Engine } from './engine/runtime/engine.js';

/** What the command side needs from the outside world; passed in, never imported. */
export interface CommandServiceDeps {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly clock: () => Date;
  readonly newId: () => string;
  /** The engine runtime: ingest, executions, approvals and rules routes need it, workflow commands feed its trigger index. */
  readonly engine?: Engine | undefined;
}
