import { describe, expect, it } from 'vitest';
import { registerProjectorMetrics } from '@iwf/platform/observability/metrics/projector';
import { createMetricsRegistry } from '@iwf/platform/observability/metrics/registry';
import type { GroupProjectorStatus } from '../kafka/consumer/options.js';
import type { KafkaProjectionSample } from './kafka-projections.js';
import { kafkaProjectionStatuses } from './kafka-projections.js';

const at = (prepare: number) => ({ commit: 7n, prepare: BigInt(prepare) });
const NAMES = ['workflows', 'rules'];
const NOW = new Date(100_000);

function member(overrides: Partial<GroupProjectorStatus> = {}): GroupProjectorStatus {
  return { group: 'g', phase: 'consuming', assigned: [0, 3], events_applied: 12, redelivered_skipped: 0, watermark: at(40), restarts: 0, cache_dirty: false, last_error: undefined, ...overrides };
}

function sample(overrides: Partial<KafkaProjectionSample> = {}): KafkaProjectionSample {
  return {
    head: at(50),
    checkpoints: new Map([
      ['workflows', { position: at(40), updated_at: new Date(90_000), waiting_since: new Date(96_000) }],
      ['rules', { position: at(50), updated_at: new Date(95_000), waiting_since: undefined }],
    ]),
    group_applied: 120,
    ...overrides,
  };
}

/** The value of the sample of `name` with these labels (the registry adds `service`), undefined without one. */
function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && Object.entries(labels).every(([key, label]) => candidate.includes(`${key}="${label}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('projection statuses in Kafka mode', () => {
  it('the member holding partition 0 reports the checkpoints, the head, the group count and the parked events', () => {
    const [workflows, rules] = kafkaProjectionStatuses(NAMES, member(), sample(), new Map([['rules', 2]]), NOW);
    expect(workflows).toEqual({
      projection: 'workflows',
      state: 'active',
      position: at(40),
      events_applied: 120,
      head_position: at(50),
      // The oldest event above the checkpoint was recorded 4 s ago.
      lag_seconds: 4,
      last_batch_at: new Date(90_000),
      cache_dirty: false,
      parked_events: 0,
      reports_position: true,
      last_error: undefined,
    });
    expect(rules).toMatchObject({ state: 'active', position: at(50), lag_seconds: 0, parked_events: 2, reports_position: true });
  });

  it('without the age of the oldest waiting event, lag counts from when the checkpoint last moved', () => {
    const behind = sample({ checkpoints: new Map([['workflows', { position: undefined, updated_at: new Date(70_000), waiting_since: undefined }]]) });
    const [workflows, rules] = kafkaProjectionStatuses(NAMES, member(), behind, undefined, NOW);
    expect(workflows).toMatchObject({ position: undefined, lag_seconds: 30, reports_position: true });
    // No checkpoint row sampled yet: nothing to report from.
    expect(rules).toMatchObject({ position: undefined, reports_position: false });
  });

  it('a member holding other partitions is active but leaves the series to the holder of partition 0; one without partitions is a standby', () => {
    expect(kafkaProjectionStatuses(NAMES, member({ assigned: [1, 2] }), sample(), undefined, NOW).map((status) => [status.state, status.reports_position])).toEqual([
      ['active', false],
      ['active', false],
    ]);
    expect(kafkaProjectionStatuses(NAMES, member({ assigned: [] }), sample(), undefined, NOW).map((status) => [status.state, status.reports_position])).toEqual([
      ['standby', false],
      ['standby', false],
    ]);
  });

  it('starting, replacing a crashed consumer, waiting for a rebuild and stopped members report their state alone', () => {
    const states = (overrides: Partial<GroupProjectorStatus>) => kafkaProjectionStatuses(['workflows'], member(overrides), sample(), undefined, NOW).map((status) => [status.state, status.reports_position]);
    expect(states({ phase: 'starting', assigned: [] })).toEqual([['starting', false]]);
    expect(states({ phase: 'restarting', assigned: [], last_error: 'boom' })).toEqual([['retrying', false]]);
    expect(states({ phase: 'awaiting_rebuild', assigned: [] })).toEqual([['awaiting_rebuild', false]]);
    expect(states({ phase: 'stopped' })).toEqual([['stopped', false]]);
    expect(kafkaProjectionStatuses(['workflows'], member(), undefined, undefined, NOW)[0]).toMatchObject({ state: 'active', reports_position: false, events_applied: 0 });
  });

  it('through the projector metrics: the reporter exports every series, another member its state alone', async () => {
    const reporter = createMetricsRegistry('projector');
    registerProjectorMetrics(reporter, () => kafkaProjectionStatuses(NAMES, member({ cache_dirty: true }), sample(), new Map([['workflows', 1]]), NOW), () => NOW);
    const text = await reporter.metrics();
    expect(value(text, 'iwf_projection_events_processed_total', { projection: 'workflows' })).toBe(120);
    expect(value(text, 'iwf_projection_position', { projection: 'workflows' })).toBe(40);
    expect(value(text, 'iwf_projection_head_position', { projection: 'workflows' })).toBe(50);
    expect(value(text, 'iwf_projection_lag_events', { projection: 'workflows' })).toBe(10);
    expect(value(text, 'iwf_projection_lag_events', { projection: 'rules' })).toBe(0);
    expect(value(text, 'iwf_projection_lag_seconds', { projection: 'workflows' })).toBe(4);
    expect(value(text, 'iwf_projection_checkpoint_age_seconds', { projection: 'workflows' })).toBe(10);
    expect(value(text, 'iwf_projection_parked_events', { projection: 'workflows' })).toBe(1);
    expect(value(text, 'iwf_projection_rebuild_progress_ratio', { projection: 'rules' })).toBe(1);
    expect(value(text, 'iwf_projection_cache_dirty', { projection: 'workflows' })).toBe(1);
    expect(value(text, 'iwf_projection_state', { projection: 'workflows', state: 'active' })).toBe(1);

    const other = createMetricsRegistry('projector');
    registerProjectorMetrics(other, () => kafkaProjectionStatuses(NAMES, member({ assigned: [4, 5] }), sample(), undefined, NOW), () => NOW);
    const otherText = await other.metrics();
    expect(value(otherText, 'iwf_projection_state', { projection: 'rules', state: 'active' })).toBe(1);
    expect(otherText).not.toMatch(/^iwf_projection_(?!state)\w+\{.*\} \S+$/m);
  });
});
