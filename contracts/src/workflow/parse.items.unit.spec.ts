import { describe, expect, it } from 'vitest';
import { errorsOf, legacyDoc, pointersOf } from './parse-testing.js';
import type { Json } from './parse-testing.js';

const execute = (...items: unknown[]) => legacyDoc([{ id: 'x', type: 'execute', execute: items }]);
const foreach = (settings: Json) => legacyDoc([{ id: 'each', type: 'foreach', foreach: { item_var: 'line', steps: [{ id: 'log', type: 'execute', execute: [{ type: 'log', message: '{{line.sku}}' }] }], ...settings } }]);

describe('foreach', () => {
  it.each(['{{order.lines}}', '${order.lines}', '{{ order.lines }}'])('accepts items %j', (items) => {
    expect(errorsOf(foreach({ items, item_var: 'line' }))).toEqual([]);
  });

  it.each(['order.lines', 'lines: {{order.lines}}', '{{order.lines}} {{more}}', ['a', 'b']])('rejects items %j: not a template', (items) => {
    expect(pointersOf(foreach({ items }))).toEqual(['/steps/0/foreach/items']);
  });

  it('says what a template looks like', () => {
    expect(errorsOf(foreach({ items: 'order.lines' }))).toEqual([
      { pointer: '/steps/0/foreach/items', message: 'must be a template such as "{{order.lines}}" or "${order.lines}"' },
    ]);
  });

  it('rejects an item variable that would hide context', () => {
    expect(pointersOf(foreach({ items: '{{x}}', item_var: 'event' }))).toEqual(['/steps/0/foreach/item_var']);
    expect(pointersOf(foreach({ items: '{{x}}', item_var: 'not-an-identifier' }))).toEqual(['/steps/0/foreach/item_var']);
  });
});

describe('execute items', () => {
  it('rejects an unknown execute type', () => {
    expect(errorsOf(execute({ type: 'fax', to: '123' }))).toEqual([
      { pointer: '/steps/0/execute/0/type', message: expect.stringMatching(/^unknown execute type; use one of http_request, webhook/) as unknown },
    ]);
  });

  it('rejects a misspelt item key that would silently change the request', () => {
    expect(errorsOf(execute({ type: 'http_request', url: 'https://a.example/x', methd: 'GET' }))).toEqual([
      { pointer: '/steps/0/execute/0/methd', message: 'unknown http_request item key "methd"; did you mean "method"?' },
    ]);
  });

  it('checks http methods and URLs, letting templates stand for any part', () => {
    expect(errorsOf(execute({ type: 'webhook', url: '{{integrations.erp.webhook_url}}' }, { type: 'http_request', url: 'https://a.example/{{id}}', method: 'PUT' }))).toEqual([]);
    expect(pointersOf(execute({ type: 'http_request', url: 'https://a.example', method: 'FETCH' }))).toEqual(['/steps/0/execute/0/method']);
    expect(pointersOf(execute({ type: 'http_request', url: 'ftp://a.example' }))).toEqual(['/steps/0/execute/0/url']);
    expect(pointersOf(execute({ type: 'http_request', url: '/relative' }))).toEqual(['/steps/0/execute/0/url']);
  });

  it('checks notify recipients', () => {
    const recipients = ['ops@example.com', 'mailto:a@b.c', 'slack:#ops', 'pagerduty:team', 'webhook:https://h.example/x', 'role:manager', '{{owner.email}}'];
    expect(errorsOf(execute({ type: 'notify', recipients, message: 'hi' }))).toEqual([]);
    expect(pointersOf(execute({ type: 'notify', recipients: ['sms:123', 'bob'], message: 'hi' }))).toEqual([
      '/steps/0/execute/0/recipients/0',
      '/steps/0/execute/0/recipients/1',
    ]);
    expect(pointersOf(execute({ type: 'notify', recipients: [], message: 'hi' }))).toEqual(['/steps/0/execute/0/recipients']);
  });

  it('requires what each item needs', () => {
    expect(errorsOf(execute({ type: 'update_record', entity: 'order', data: {} }))).toEqual([]);
    expect(pointersOf(execute({ type: 'update_record', entity: 'order' }))).toEqual(['/steps/0/execute/0/data']);
    expect(errorsOf(execute({ type: 'create_record', entity: 'task', data: { title: 't' } }))).toEqual([]);
    expect(pointersOf(execute({ type: 'emit', event_type: 'order.*', payload: {} }))).toEqual(['/steps/0/execute/0/event_type']);
    expect(pointersOf(execute({ type: 'emit', event_type: 'order.created' }))).toEqual(['/steps/0/execute/0/payload']);
    expect(pointersOf(execute({ type: 'log', message: 'm', level: 'loud' }))).toEqual(['/steps/0/execute/0/level']);
    expect(pointersOf(execute({ type: 'create_approval_request', entity: 'o', entity_id: '1', data: { approver_role: 'm', reason: 'r', expires_in: 'later' } }))).toEqual([
      '/steps/0/execute/0/data/expires_in',
    ]);
    expect(errorsOf(execute({ type: 'create_approval_request', entity: 'o', entity_id: '1', data: { approver_role: 'm', reason: 'r', expires_in: '{{sla}}', extra: 1 } }))).toEqual([]);
  });

  it('allows secrets only where they are sent and never recorded', () => {
    const header = { type: 'http_request', url: 'https://a.example', headers: { Authorization: 'Bearer {{secrets.token}}' } };
    expect(errorsOf(execute(header, { type: 'notify', recipients: ['webhook:{{secrets.hook}}'], message: 'm' }))).toEqual([]);
    expect(pointersOf(execute({ type: 'log', message: 'token is ${secrets.token}' }))).toEqual(['/steps/0/execute/0/message']);
    expect(pointersOf(execute({ type: 'emit', event_type: 'a.b', payload: { nested: ['{{ secrets.k }}'] } }))).toEqual([
      '/steps/0/execute/0/payload/nested/0',
    ]);
  });

  it('rejects a step whose execute list is empty or not a list', () => {
    expect(pointersOf(execute())).toEqual(['/steps/0/execute']);
    expect(pointersOf(legacyDoc([{ id: 'x', type: 'execute', execute: { type: 'log', message: 'm' } }]))).toEqual(['/steps/0/execute']);
  });
});
