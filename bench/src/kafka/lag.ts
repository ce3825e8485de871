import type { Cache } from '@iwf/platform/cache/cache';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import type { Projection } from '@iwf/projector/runner/projection';

/**
 * Measures append → read model: the projection asks for one cache write per event, and both
 * projector paths make cache writes only after the batch's transaction committed, so the time
 * a write arrives is when the event became readable. `sent` holds when each append was issued.
 */
export class LagRecorder {
  readonly sent = new Map<string, number>();
  readonly lags: number[] = [];

  constructor(readonly name: string) {}

  projection(): Projection {
    const name = this.name;
    return {
      name,
      version: 1,
      cacheKinds: [name],
      async apply(_tx, events) {
        return events.map((event) => ({ key: `iwf:c:bench:${name}:${event.event_id}`, revision: event.stream_revision, value: null }));
      },
    };
  }

  /** A cache that records the lag of each write and otherwise behaves as the in-process one. */
  cache(): Cache {
    const inner = createMemoryCache(1_000);
    const prefix = `iwf:c:bench:${this.name}:`;
    return {
      ...inner,
      setIfNewer: async (key, revision, value) => {
        const sent = key.startsWith(prefix) ? this.sent.get(key.slice(prefix.length)) : undefined;
        if (sent !== undefined) this.lags.push(performance.now() - sent);
        return inner.setIfNewer(key, revision, value);
      },
    };
  }
}

export interface LagSummary {
  readonly events: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
  readonly p99_ms: number;
  readonly max_ms: number;
}

export function summarize(lags: readonly number[]): LagSummary {
  const sorted = [...lags].sort((a, b) => a - b);
  const at = (q: number): number => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN) * 10) / 10;
  return { events: sorted.length, p50_ms: at(0.5), p95_ms: at(0.95), p99_ms: at(0.99), max_ms: at(1) };
}
