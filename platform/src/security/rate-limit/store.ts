import type { Redis } from 'ioredis';
import { gcraParameters, gcraStep, type RateDecision, type RateRule } from './gcra.js';

export interface RateLimitStore {
  readonly kind: 'redis' | 'memory';
  take(key: string, rule: RateRule): Promise<RateDecision>;
}

// gcraStep in Lua. Redis's clock, not each replica's, so skewed replicas still agree.
// Numbers go back to Redis through %.0f: Lua's tostring keeps only 14 digits.
const GCRA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local nxt = tat + interval
local allow_at = nxt - tolerance
if allow_at > now then
  return {0, 0, math.ceil((allow_at - now) / 1000), math.ceil((tat - now) / 1000)}
end
redis.call('SET', KEYS[1], string.format('%.0f', nxt), 'PX', math.max(1, math.ceil((nxt - now) / 1000)))
return {1, math.floor((now - allow_at) / interval), 0, math.ceil((nxt - now) / 1000)}`;

/** Buckets in Redis, shared by every replica; keys expire once their bucket is full again. */
export function createRedisRateLimitStore(redis: Redis, namespace: string): RateLimitStore {
  const prefix = `${namespace ? `${namespace}:` : ''}iwf:rl:`;
  return {
    kind: 'redis',
    async take(key, rule) {
      const { interval, tolerance } = gcraParameters(rule);
      const reply = (await redis.eval(GCRA, 1, prefix + key, String(interval), String(tolerance))) as number[];
      const [allowed = 1, remaining = 0, retryAfterMs = 0, resetMs = 0] = reply;
      return { allowed: allowed === 1, remaining, retryAfterMs, resetMs, limit: rule.burst };
    },
  };
}

const MAX_MEMORY_KEYS = 50_000;

/** Buckets in this process only: used when no Redis answered at start. */
export function createMemoryRateLimitStore(now: () => number = () => Math.round(performance.timeOrigin * 1000 + performance.now() * 1000)): RateLimitStore {
  const buckets = new Map<string, number>();
  return {
    kind: 'memory',
    async take(key, rule) {
      const at = now();
      if (buckets.size >= MAX_MEMORY_KEYS) {
        // A full bucket needs no entry: drop every key whose TAT has passed.
        for (const [stored, tat] of buckets) if (tat <= at) buckets.delete(stored);
      }
      const { decision, tat } = gcraStep(buckets.get(key), at, rule);
      buckets.set(key, tat);
      return decision;
    },
  };
}
