import type { Redis } from 'ioredis';
import type { EventStore } from '@iwf/contracts';
import type { HttpAppOptions } from '@iwf/platform/http/app';
import { createDenialRecorder } from '@iwf/platform/security/denials';
import { createRedisRateLimitStore } from '@iwf/platform/security/rate-limit/store';
import { createApiKeyVerifier } from './verifier.js';

export interface SecurityDepsOptions {
  readonly store: Pick<EventStore, 'append' | 'readStream'>;
  readonly newId: () => string;
  readonly clock?: () => Date;
  /** Shared rate-limit buckets; undefined counts per process. */
  readonly redis?: Redis | undefined;
  /** The cache namespace: deployments sharing one Redis keep separate buckets. */
  readonly namespace?: string;
}

/** What `createHttpApp` needs for API keys, denial audit and shared rate limits, on either service. */
export function securityDeps(options: SecurityDepsOptions): NonNullable<HttpAppOptions['security']> {
  const clock = options.clock ?? (() => new Date());
  return {
    apiKeys: createApiKeyVerifier(options.store, clock),
    onDenied: createDenialRecorder(options.store, options.newId),
    rateLimitStore: options.redis ? createRedisRateLimitStore(options.redis, options.namespace ?? '') : undefined,
  };
}
