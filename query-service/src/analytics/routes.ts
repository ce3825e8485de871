import { Type } from '@sinclair/typebox';
import type { AnalyticsInterval, AnalyticsSummaryView, AnalyticsTimeRange, AnalyticsTrendsView } from '@iwf/contracts';
import { ANALYTICS_INTERVALS, ANALYTICS_TIME_RANGES } from '@iwf/contracts';
import { principalOf } from '@iwf/platform/auth/plugin';
import type { HttpApp } from '@iwf/platform/http/app';
import type { QueryServiceDeps } from '../deps.js';
import { READER_ROLES, requireAnyRole } from '../executions/access.js';
import { ProblemResponses } from '../http/schemas.js';
import { ConsistencyQuery } from '../positions/consistency.js';
import { RANGE_MS, summary, trends } from './read-model.js';
import { AnalyticsSummarySchema, AnalyticsTrendsSchema } from './schemas.js';

const READ_MODELS = ['analytics'] as const;
const Range = Type.Union(ANALYTICS_TIME_RANGES.map((range) => Type.Literal(range)));
const Interval = Type.Union(ANALYTICS_INTERVALS.map((interval) => Type.Literal(interval)));
const WorkflowId = Type.String({ minLength: 1, maxLength: 128 });
/** A trend's default span: a day of hours, a week of days. */
const DEFAULT_TREND_RANGE: Readonly<Record<AnalyticsInterval, AnalyticsTimeRange>> = { hour: '24h', day: '7d' };

/** Executions started within the range ending now, counted by status and decision, with duration percentiles. */
export function registerAnalyticsQueries(app: HttpApp, deps: QueryServiceDeps, clock: () => Date = () => new Date()): void {
  const tags = ['analytics'];
  const config = { readModels: READ_MODELS, permission: 'analytics:read' as const };
  const windowOf = (tenant: string, range: AnalyticsTimeRange, workflow_id: string | undefined) => {
    const to = clock();
    return { tenant, to, from: new Date(to.getTime() - RANGE_MS[range]), workflow_id };
  };

  app.get(
    '/api/v1/analytics/summary',
    {
      config,
      schema: {
        tags,
        summary: 'Executions started in the time range: counts by status and decision, success rate, p50/p95/p99 duration, per workflow',
        querystring: Type.Object(
          { time_range: Type.Optional(Range), workflow_id: Type.Optional(WorkflowId), ...ConsistencyQuery },
          { additionalProperties: false },
        ),
        response: { 200: AnalyticsSummarySchema, ...ProblemResponses },
      },
    },
    async (request): Promise<AnalyticsSummaryView> => {
      const principal = principalOf(request);
      requireAnyRole(principal, READER_ROLES, 'analytics');
      const time_range = request.query.time_range ?? '24h';
      const window = windowOf(principal.tenant, time_range, request.query.workflow_id);
      const figures = await summary(deps.pool, window);
      return { time_range, from: window.from.toISOString(), to: window.to.toISOString(), workflow_id: window.workflow_id ?? null, ...figures };
    },
  );

  app.get(
    '/api/v1/analytics/trends',
    {
      config,
      schema: {
        tags,
        summary: 'The same figures per hour or per day of the time range, oldest first',
        querystring: Type.Object(
          { interval: Type.Optional(Interval), time_range: Type.Optional(Range), workflow_id: Type.Optional(WorkflowId), ...ConsistencyQuery },
          { additionalProperties: false },
        ),
        response: { 200: AnalyticsTrendsSchema, ...ProblemResponses },
      },
    },
    async (request): Promise<AnalyticsTrendsView> => {
      const principal = principalOf(request);
      requireAnyRole(principal, READER_ROLES, 'analytics');
      const interval = request.query.interval ?? 'hour';
      const time_range = request.query.time_range ?? DEFAULT_TREND_RANGE[interval];
      const window = windowOf(principal.tenant, time_range, request.query.workflow_id);
      const buckets = await trends(deps.pool, window, interval);
      return { interval, time_range, from: window.from.toISOString(), to: window.to.toISOString(), workflow_id: window.workflow_id ?? null, buckets };
    },
  );
}
