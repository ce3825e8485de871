import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineSystem, type EngineTestSystem } from '../engine/runtime/testing/system.js';
import { createWorkflow, ingestOne, stepsRun } from '../engine/runtime/testing/world.js';

let system: EngineTestSystem;

beforeAll(async () => {
  system = await startEngineSystem('rules');
  await createWorkflow(system, {
    workflow_id: 'screen', version: '1', name: 'screen', trigger: { type: 'event', event: 'signup' },
    steps: [
      { id: 'risky', type: 'condition', rule_id: 'high_risk', on_true: 'deny', on_false: 'welcome' },
      { id: 'deny', type: 'action', action: { type: 'block' } },
      { id: 'welcome', type: 'action', action: { type: 'allow' } },
    ],
  });
});

afterAll(async () => {
  await system?.close();
});

const rule = (condition: unknown, extra: Record<string, unknown> = {}) => ({ name: 'High risk', description: 'Scores above the line', condition, ...extra });
const signup = (score: number, country = 'FR') => ingestOne(system, 'signup', { user: { score, country } });

describe('rules', () => {
  it('creates a rule that condition steps evaluate by id', async () => {
    const created = await system.call('POST', '/rules', rule({ field: 'user.score', operator: 'gt', value: 80 }, { rule_id: 'high_risk' }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ rule_id: 'high_risk', revision: 0, position: expect.any(String) });
    expect(await signup(95)).toMatchObject({ decision: 'blocked' });
    expect(await signup(10)).toMatchObject({ decision: 'allowed' });
  });

  it('uses the new condition as soon as an update is answered, including rules it refers to', async () => {
    expect((await system.call('POST', '/rules', { rule_id: 'sanctioned', name: 'Sanctioned country', condition: { field: 'user.country', operator: 'in', value: ['XX'] } })).status).toBe(201);
    const updated = await system.call('PUT', '/rules/high_risk', rule({ or: [{ field: 'user.score', operator: 'gt', value: 50 }, { rule_id: 'sanctioned' }] }));
    expect(updated.body).toMatchObject({ rule_id: 'high_risk', revision: 1 });
    expect(await signup(60)).toMatchObject({ decision: 'blocked' });
    expect(await signup(10, 'XX')).toMatchObject({ decision: 'blocked' });
    expect(await signup(10)).toMatchObject({ decision: 'allowed' });
  });

  it('updating to the same content appends nothing; If-Match guards the revision', async () => {
    const same = await system.call('PUT', '/rules/high_risk', rule({ or: [{ field: 'user.score', operator: 'gt', value: 50 }, { rule_id: 'sanctioned' }] }));
    expect(same.body).toMatchObject({ revision: 1 });
    const stale = await system.call('PUT', '/rules/high_risk', rule({ field: 'user.score', operator: 'gt', value: 1 }), { headers: { 'if-match': '"0"' } });
    expect(stale.status).toBe(412);
  });

  it('refuses invalid conditions with pointers, duplicates, unknown ids and roles that may not manage rules', async () => {
    const invalid = await system.call('POST', '/rules', rule({ field: 'a', operator: 'gt', value: [1] }, { rule_id: 'bad' }));
    expect(invalid.status).toBe(400);
    expect(invalid.body['errors']).toEqual([{ pointer: '/condition/value', message: expect.any(String) }]);
    expect((await system.call('POST', '/rules', rule({ field: 'a', operator: 'exists' }, { rule_id: 'high_risk' }))).status).toBe(409);
    expect((await system.call('PUT', '/rules/unknown', rule({ field: 'a', operator: 'exists' }))).status).toBe(404);
    expect((await system.call('POST', '/rules', rule({ field: 'a', operator: 'exists' }, { rule_id: 'x' }), { roles: ['workflow_viewer'] })).status).toBe(403);
  });

  it("checks regex conditions with the engine's compiler, for rules as for workflows", async () => {
    const lookahead = await system.call('POST', '/rules', rule({ field: 'user.country', operator: 'regex', value: '^(?!FR)' }, { rule_id: 'not_fr' }));
    expect(lookahead.status).toBe(400);
    expect(lookahead.body['errors']).toEqual([{ pointer: '/condition/value', message: expect.stringMatching(/^invalid regex: /) }]);
    const workflow = {
      workflow_id: 'backref', version: '1', name: 'backref', trigger: { type: 'event', event: 'signup' },
      steps: [{ id: 'twice', type: 'condition', condition: { field: 'user.country', operator: 'regex', value: '(\\w)\\1' }, on_true: 'ok' }, { id: 'ok', type: 'action', action: { type: 'allow' } }],
    };
    const refused = await system.call('POST', '/workflows', workflow);
    expect(refused.status).toBe(400);
    expect(refused.body['errors']).toEqual([{ pointer: '/steps/0/condition/value', message: expect.stringMatching(/^invalid regex: /) }]);
    const insensitive = await system.call('POST', '/rules', rule({ field: 'user.country', operator: 'regex', value: '(?i)^fr$' }, { rule_id: 'french' }));
    expect(insensitive.status).toBe(201);
  });

  it('after a delete, a condition naming the rule fails to evaluate and the step fails', async () => {
    const withBody = await system.call('DELETE', '/rules/high_risk', { reason: 'gone' });
    expect(withBody.status).toBe(400);
    expect(withBody.body['errors']).toEqual([expect.objectContaining({ pointer: '/reason' })]);
    expect((await system.call('DELETE', '/rules/high_risk', {})).status).toBe(200); // {} says nothing, like no body
    const started = await signup(95);
    expect(started).toMatchObject({ status: 'failed' });
    expect(stepsRun(await system.execution(started.execution_id))).toEqual([]);
    expect((await system.call('DELETE', '/rules/high_risk')).status).toBe(404);
    // The id can be taken again, which brings conditions naming it back to life.
    expect((await system.call('POST', '/rules', rule({ field: 'user.score', operator: 'gt', value: 80 }, { rule_id: 'high_risk' }))).status).toBe(201);
    expect(await signup(95)).toMatchObject({ decision: 'blocked' });
  });
});
