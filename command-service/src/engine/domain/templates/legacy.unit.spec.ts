import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from './render.js';
import { containsSecretRefs, resolveSecrets } from './secrets.js';

/** Templates taken verbatim from the legacy fixture workflows. */
const legacyDir = new URL('../../../../../fixtures/workflows/legacy/', import.meta.url);
type Step = { readonly id: string; readonly execute?: unknown[]; readonly [key: string]: unknown };

const stepsOf = (steps: unknown): Step[] =>
  (Array.isArray(steps) ? (steps as Step[]) : []).flatMap((step) => [
    step,
    ...stepsOf((step['parallel'] as { steps?: unknown } | undefined)?.steps),
  ]);

const executeOf = (file: string, stepId: string): unknown[] => {
  const workflow = JSON.parse(readFileSync(new URL(file, legacyDir), 'utf8')) as { steps: unknown };
  const step = stepsOf(workflow.steps).find((candidate) => candidate.id === stepId);
  if (step?.execute === undefined) throw new Error(`${file} has no execute list on ${stepId}`);
  return step.execute;
};

const now = '2026-03-01T09:00:00Z';

describe('legacy templates', () => {
  it('high-value-order-approval: "${{order.total}}" is a dollar sign and the total; raw values stay typed', () => {
    const context = {
      order: { id: 'o-42', total: 12500, items: [{}, {}, {}] },
      customer: { name: 'Ada' },
      approval_url: 'https://app.example/approvals/a-1',
    };
    const rendered = renderTemplate(executeOf('high-value-order-approval.json', 'require_approval'), context, { now });
    expect(rendered.missing).toEqual([]);
    expect(rendered.value).toMatchObject([
      { entity_id: 'o-42', data: { customer_name: 'Ada', order_total: 12500, order_items_count: 3 } },
      {
        message:
          'Order o-42 requires approval - $12500 from Ada. Approval link: https://app.example/approvals/a-1',
      },
      { message: '🚨 Order o-42 requires approval - $12500 from Ada' },
    ]);
  });

  it('quote-expiration-management: now and now_plus_24h come from the supplied instant', () => {
    const context = {
      quote: { id: 'q-1', number: 'Q-1', total: 900, sales_rep_email: 'rep@example.com', sales_rep_id: 'u-7' },
      customer: { id: 'c-1', name: 'Ada' },
      integrations: { crm: { webhook_url: 'https://crm.example/hook' } },
    };
    const rendered = renderTemplate(executeOf('quote-expiration-management.json', 'expire_quote'), context, { now });
    expect(rendered.missing).toEqual([]);
    expect(rendered.value).toMatchObject([
      { data: { status: 'expired', expired_at: '2026-03-01T09:00:00.000Z' } },
      { recipients: ['rep@example.com'], message: 'Quote Q-1 for Ada (total: $900) has expired.' },
      { url: 'https://crm.example/hook' },
      { data: { due_date: '2026-03-02T09:00:00.000Z', assigned_to: 'u-7' } },
    ]);
  });

  it('quote-expiration-management: missing paths are reported for the engine to judge', () => {
    const rendered = renderTemplate(executeOf('quote-expiration-management.json', 'expire_quote'), { quote: { id: 'q-1' } }, { now });
    expect(rendered.missing).toContain('integrations.crm.webhook_url');
    expect(rendered.value).toMatchObject([{}, {}, { url: null }, {}]);
  });

  it('cart-fraud-detection: the bearer token stays a marker until send time', () => {
    const context = { customer: { id: 'c-1' }, cart: { total: 6000 }, device: { fingerprint: 'fp' } };
    const [request] = renderTemplate(executeOf('cart-fraud-detection.json', 'check_external_fraud_api'), context).value as unknown[];
    expect(request).toMatchObject({ body: { customer_id: 'c-1', cart_total: 6000, device_fingerprint: 'fp' } });
    expect(JSON.stringify(request)).not.toContain('s3cret');
    expect(containsSecretRefs(request)).toBe(true);
    const sent = resolveSecrets(request, (name) => (name === 'fraud_api_token' ? 's3cret' : undefined));
    expect(sent).toMatchObject({ ok: true, value: { headers: { Authorization: 'Bearer s3cret' } } });
  });

  it('data-processing-with-timeout: an id inside a URL is stringified', () => {
    const [fetch] = renderTemplate(executeOf('data-processing-with-timeout.json', 'fetch-data'), { event: { batch_id: 77 } })
      .value as unknown[];
    expect(fetch).toMatchObject({ url: 'https://api.example.com/data/batch/77', method: 'GET' });
  });
});
