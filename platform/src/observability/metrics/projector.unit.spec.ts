import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { lagEvents, progress, registerProjectorMetrics, type ProjectionStatusLike } from './projector.js';

const at = (prepare: number) => ({ commit: 100n, prepare: BigInt(prepare) });

function status(overrides: Partial<ProjectionStatusLike>): ProjectionStatusLike {
  return { projection: 'workflows', state: 'active', position: at(40), events_applied: 40, head_position: at(50), lag_seconds: 3, last_batch_at: new Date(10_000), cache_dirty: false, ...overrides };
}

describe('projector metrics', () => {
  it('lag in events and progress come from log sequence numbers', () => {
    expect(lagEvents(at(40), at(50))).toBe(10);
    expect(lagEvents(undefined, at(50))).toBe(50);
    expect(lagEvents(at(60), at(50))).toBe(0); // the head sample is older than the checkpoint
    expect(lagEvents(at(3), undefined)).toBe(0);
    expect(progress(at(25), at(100))).toBe(0.25);
    expect(progress(undefined, at(100))).toBe(0);
    expect(progress(undefined, undefined)).toBe(1);
  });

  it('decides behind in log order: an append that took its sequence number before the checkpoint but committed after it is still to go', () => {
    const checkpoint = { commit: 100n, prepare: 50n };
    const lateCommit = { commit: 101n, prepare: 49n };
    expect(lagEvents(checkpoint, lateCommit)).toBe(1);
    expect(progress(checkpoint, lateCommit)).toBeLessThan(1);
    expect(lagEvents(lateCommit, lateCommit)).toBe(0);
    expect(progress(lateCommit, lateCommit)).toBe(1);
    expect(progress({ commit: 101n, prepare: 99n }, { commit: 101n, prepare: 100n })).toBe(0.99);
  });

  it('reads the runners at scrape time; standbys report only their state', async () => {
    const registry = new Registry();
    let statuses: ProjectionStatusLike[] = [status({}), status({ projection: 'rules', state: 'standby', position: undefined, events_applied: 0 })];
    registerProjectorMetrics(registry, () => statuses, () => new Date(25_000));
    const text = await registry.metrics();
    expect(text).toContain('iwf_projection_events_processed_total{projection="workflows"} 40');
    expect(text).toContain('iwf_projection_lag_events{projection="workflows"} 10');
    expect(text).toContain('iwf_projection_lag_seconds{projection="workflows"} 3');
    expect(text).toContain('iwf_projection_checkpoint_age_seconds{projection="workflows"} 15');
    expect(text).toContain('iwf_projection_rebuild_progress_ratio{projection="workflows"} 0.8');
    expect(text).toContain('iwf_projection_parked_events{projection="workflows"} 0');
    expect(text).toContain('iwf_projection_state{projection="rules",state="standby"} 1');
    expect(text).toContain('iwf_projection_state{projection="rules",state="active"} 0');
    expect(text).not.toContain('iwf_projection_lag_events{projection="rules"}');

    statuses = [status({ events_applied: 55, parked_events: 2, rebuild_progress: 0.5 })];
    const later = await registry.metrics();
    expect(later).toContain('iwf_projection_events_processed_total{projection="workflows"} 55');
    expect(later).toContain('iwf_projection_parked_events{projection="workflows"} 2');
    expect(later).toContain('iwf_projection_rebuild_progress_ratio{projection="workflows"} 0.5');
    expect(later).not.toContain('projection="rules"');
  });

  it('an active instance that leaves reporting to another reports its state alone', async () => {
    const registry = new Registry();
    registerProjectorMetrics(registry, () => [status({ reports_position: false }), status({ projection: 'rules', reports_position: true })], () => new Date(25_000));
    const text = await registry.metrics();
    expect(text).toContain('iwf_projection_state{projection="workflows",state="active"} 1');
    expect(text).not.toMatch(/iwf_projection_(events_processed_total|lag_events|lag_seconds|checkpoint_age_seconds|position|head_position|parked_events|rebuild_progress_ratio|cache_dirty)\{projection="workflows"\}/);
    expect(text).toContain('iwf_projection_position{projection="rules"} 40');
  });
});
