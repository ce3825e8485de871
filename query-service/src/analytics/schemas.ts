import { Type } from '@sinclair/typebox';
import type { AnalyticsSummaryView, AnalyticsTrendsView } from '@iwf/contracts';
import { ANALYTICS_STATUSES, EXECUTION_DECISIONS } from '@iwf/contracts';

const Count = Type.Integer({ minimum: 0 });
const Millis = Type.Union([Type.Number(), Type.Null()]);

const countsOf = (keys: readonly string[]) => Type.Object(Object.fromEntries(keys.map((key) => [key, Count])));

const Stats = {
  total: Count,
  by_status: countsOf(ANALYTICS_STATUSES),
  by_decision: countsOf(EXECUTION_DECISIONS),
  success_rate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]),
  duration_ms: Type.Object({ p50: Millis, p95: Millis, p99: Millis, avg: Millis, max: Millis }),
};

const Window = {
  time_range: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  workflow_id: Type.Union([Type.String(), Type.Null()]),
};

// Unsafe: the JSON schema documents and serialises; the static type is the contract's DTO.
export const AnalyticsSummarySchema = Type.Unsafe<AnalyticsSummaryView>(
  Type.Object({ ...Window, ...Stats, workflows: Type.Array(Type.Object({ workflow_id: Type.String(), ...Stats })) }),
);

export const AnalyticsTrendsSchema = Type.Unsafe<AnalyticsTrendsView>(
  Type.Object({ ...Window, interval: Type.String(), buckets: Type.Array(Type.Object({ bucket: Type.String({ format: 'date-time' }), ...Stats })) }),
);
