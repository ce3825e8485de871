import type pg from 'pg';
import type { Logger } from 'pino';
import type { EventStore } from '@iwf/contracts';
import type { EngineConfig } from './config.js';
import { loadEngineConfig } from './config.js';
import type { OutboundPolicyOptions } from '@iwf/platform/security/outbound/policy';
import { createOutboundPolicy } from '@iwf/platform/security/outbound/policy';
import { Engine } from './engine.js';

export { engineMigrations } from '../migrations.js';

export interface StartedEngine {
  readonly engine: Engine;
  /** Close before the pool and the store it uses. */
  readonly resource: { readonly name: string; close(): Promise<void> };
}

/** Builds the engine from the environment (ENGINE_*, OUTBOUND_HOST_MAP, ...) and starts its workers. */
export function startEngine(deps: {
  readonly store: EventStore;
  readonly pool: pg.Pool;
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly config?: EngineConfig;
  /** OUTBOUND_ALLOWLIST / OUTBOUND_DENYLIST from the platform's security settings. */
  readonly outbound?: OutboundPolicyOptions;
}): StartedEngine {
  const { outbound, ...rest } = deps;
  const engine = new Engine({ ...rest, config: deps.config ?? loadEngineConfig(), outbound: outbound === undefined ? undefined : createOutboundPolicy(outbound) });
  engine.start();
  return { engine, resource: { name: 'engine', close: () => engine.close() } };
}
