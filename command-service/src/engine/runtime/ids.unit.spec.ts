import { describe, expect, it } from 'vitest';
import { engineIds, uuidFrom } from './ids.js';

describe('name-based ids', () => {
  it('are UUIDs, the same for the same parts and different otherwise', () => {
    const id = uuidFrom('a', 'b');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidFrom('a', 'b')).toBe(id);
    // Parts are delimited, so moving text between parts changes the id.
    expect(uuidFrom('ab', '')).not.toBe(uuidFrom('a', 'b'));
  });

  it('name one execution per event and workflow, per tenant', () => {
    expect(engineIds.eventExecution('t1', 'e1', 'wf')).toBe(engineIds.eventExecution('t1', 'e1', 'wf'));
    expect(engineIds.eventExecution('t2', 'e1', 'wf')).not.toBe(engineIds.eventExecution('t1', 'e1', 'wf'));
    expect(engineIds.scheduleExecution('t1', 'wf', '2024-01-01T06:00:00.000Z')).not.toBe(engineIds.scheduleExecution('t1', 'wf', '2024-01-01T12:00:00.000Z'));
  });
});
