import { describe, expect, it } from 'vitest';
import { parseExposition } from './testing/exposition.js';
import { alertExpressions, dashboardExpressions, metricNames } from './testing/promql-names.js';

describe('metric names in PromQL', () => {
  it('finds selected series, not functions, labels, keywords or durations', () => {
    expect(metricNames('sum by (service) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (service) (rate(http_requests_total[5m])) > 0.05')).toEqual([
      'http_requests_total',
    ]);
    expect(metricNames('histogram_quantile(0.95, sum by (le, route) (rate(http_request_duration_seconds_bucket[5m])))')).toEqual([
      'http_request_duration_seconds_bucket',
    ]);
    expect(metricNames('max by (projection) (changes(a_position[10m])) > 0 and max by (projection) (changes(b_position[10m])) == 0')).toEqual(['a_position', 'b_position']);
    expect(metricNames('up{job=~"a|b"} == 0 or increase(errors_total[5m]) > 1e3')).toEqual(['up', 'errors_total']);
    expect(metricNames('process_resident_memory_bytes / iwf_process_memory_limit_bytes offset 5m')).toEqual(['process_resident_memory_bytes', 'iwf_process_memory_limit_bytes']);
  });

  it('reads every dashboard panel and alert rule', () => {
    const dashboards = dashboardExpressions();
    const alerts = alertExpressions();
    expect(new Set(dashboards.map((source) => source.where.split(':')[0]))).toEqual(new Set(['api-overview.json', 'workflow-metrics.json', 'event-store-projections.json', 'datastores.json']));
    expect(alerts.length).toBeGreaterThanOrEqual(19);
    for (const source of [...dashboards, ...alerts]) expect(metricNames(source.expr).length, source.where).toBeGreaterThan(0);
  });
});

describe('exposition text', () => {
  it('tells sampled names from declared ones, with histogram suffixes', () => {
    const page = parseExposition(
      ['# HELP a_total x', '# TYPE a_total counter', 'a_total{x="1"} 2', '# TYPE h histogram', 'h_bucket{le="1"} 0', 'h_sum 0', 'h_count 0', '# TYPE e_total counter'].join('\n'),
    );
    expect([...page.sampled].sort()).toEqual(['a_total', 'h_bucket', 'h_count', 'h_sum']);
    expect([...page.declared].sort()).toEqual(['a_total', 'e_total', 'h_bucket', 'h_count', 'h_sum']);
  });
});
