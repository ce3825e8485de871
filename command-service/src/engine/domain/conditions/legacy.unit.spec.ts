import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateCondition } from './evaluate.js';
import { parseCondition } from './parse.js';

/** The conditions of the legacy fixture workflows, evaluated against sample contexts. */
const legacyDir = new URL('../../../../../fixtures/workflows/legacy/', import.meta.url);
type Step = { readonly id: string; readonly condition?: unknown; readonly [key: string]: unknown };

const stepsOf = (steps: unknown): Step[] =>
  (Array.isArray(steps) ? (steps as Step[]) : []).flatMap((step) => [
    step,
    ...stepsOf((step['parallel'] as { steps?: unknown } | undefined)?.steps),
    ...stepsOf((step['foreach'] as { steps?: unknown } | undefined)?.steps),
  ]);

const load = (file: string): Step[] => stepsOf((JSON.parse(readFileSync(new URL(file, legacyDir), 'utf8')) as { steps: unknown }).steps);

const conditionOf = (file: string, stepId: string): unknown => {
  const step = load(file).find((candidate) => candidate.id === stepId);
  if (step?.condition === undefined) throw new Error(`${file} has no condition step ${stepId}`);
  return step.condition;
};

const evaluate = (file: string, stepId: string, context: unknown): boolean | string => {
  const result = evaluateCondition(conditionOf(file, stepId), context, { now: '2026-03-01T09:00:00Z' });
  return result.ok ? result.value : `error: ${result.error.message}`;
};

describe('legacy workflow conditions', () => {
  const files = readdirSync(legacyDir).filter((name) => name.endsWith('.json'));

  it('finds the seven legacy files', () => {
    expect(files).toHaveLength(7);
  });

  it.each(files)('%s: every condition is well-formed', (file) => {
    const conditions = load(file).filter((step) => step.condition !== undefined);
    for (const step of conditions) expect(parseCondition(step.condition), step.id).toMatchObject({ ok: true });
  });

  it('cart-fraud-detection', () => {
    const file = 'cart-fraud-detection.json';
    expect(evaluate(file, 'check_velocity', { customer: { carts_created_last_hour: 5 } })).toBe(true);
    expect(evaluate(file, 'check_velocity', { customer: { carts_created_last_hour: 6 } })).toBe(false);
    const highValue = (total: number, age: number) =>
      evaluate(file, 'check_high_value_items', { cart: { total }, customer: { account_age_days: age } });
    expect(highValue(6000, 3)).toBe(true);
    expect(highValue(6000, 30)).toBe(false);
    expect(highValue(100, 3)).toBe(false);
    const shipping = (country: string, billing: string | undefined, verified: boolean) =>
      evaluate(file, 'check_shipping_address', {
        cart: { shipping_address: { country } },
        customer: { verified, ...(billing === undefined ? {} : { billing_address: { country: billing } }) },
      });
    expect(shipping('FR', 'FR', false)).toBe(true);
    expect(shipping('DE', 'FR', true)).toBe(true);
    expect(shipping('DE', 'FR', false)).toBe(false);
    expect(shipping('DE', undefined, true)).toBe('error: value refers to the missing path customer.billing_address.country');
  });

  it('data-processing-with-timeout', () => {
    const file = 'data-processing-with-timeout.json';
    expect(evaluate(file, 'validate-data', { data: { records_count: 10 } })).toBe(true);
    expect(evaluate(file, 'validate-data', { data: { records_count: 0 } })).toBe(false);
    expect(evaluate(file, 'validate-data', { event: { batch_id: 'b1' } })).toBe('error: field data.records_count is missing');
  });

  it('high-value-order-approval', () => {
    const file = 'high-value-order-approval.json';
    expect(evaluate(file, 'check_order_value', { order: { total: 12500 } })).toBe(true);
    expect(evaluate(file, 'check_order_value', { order: { total: 10000 } })).toBe(true);
    expect(evaluate(file, 'check_order_value', { order: { total: 9999.99 } })).toBe(false);
    expect(evaluate(file, 'check_order_value', { order: { total: '12500.00' } })).toBe(true);
    expect(evaluate(file, 'check_customer_tier', { customer: { tier: 'gold' } })).toBe(true);
    expect(evaluate(file, 'check_customer_tier', { customer: { tier: 'silver' } })).toBe(false);
  });

  it('order-processing-with-timeout', () => {
    const file = 'order-processing-with-timeout.json';
    expect(evaluate(file, 'validate-order', { order: { total: 0 } })).toBe(true);
    expect(evaluate(file, 'validate-order', { order: { total: -1 } })).toBe(false);
    expect(evaluate(file, 'check-fraud', { customer: { risk_score: 69 } })).toBe(true);
    expect(evaluate(file, 'check-fraud', { customer: { risk_score: 70 } })).toBe(false);
    expect(evaluate(file, 'check-fraud', { customer: { risk_score: null } })).toMatch(/cannot order a null and a number/);
  });

  it('product-inventory-sync compares against a rendered reorder point', () => {
    const file = 'product-inventory-sync.json';
    const lowStock = (available: unknown, reorderPoint: unknown) =>
      evaluate(file, 'check_low_stock', { product: { available_quantity: available, reorder_settings: { reorder_point: reorderPoint } } });
    expect(lowStock(5, 10)).toBe(true);
    expect(lowStock(10, 10)).toBe(true);
    expect(lowStock(20, 10)).toBe(false);
    expect(lowStock(5, '10')).toBe(true);
    expect(lowStock(50, '100')).toBe(true);
    expect(lowStock('50', '100')).toBe(true);
    expect(lowStock(5, 'ten')).toMatch(/cannot order a number and the string "ten"/);
    expect(evaluate(file, 'check_oversell_risk', { product: { available_quantity: 0 } })).toBe(true);
    expect(evaluate(file, 'check_oversell_risk', { product: { available_quantity: 3 } })).toBe(false);
  });

  it('quote-expiration-management', () => {
    const file = 'quote-expiration-management.json';
    const reminder = (hours: number, sent: boolean) =>
      evaluate(file, 'check_reminder_needed', { quote: { hours_until_expiration: hours, reminder_sent: sent } });
    expect(reminder(12, false)).toBe(true);
    expect(reminder(12, true)).toBe(false);
    expect(reminder(48, false)).toBe(false);
    expect(evaluate(file, 'check_reminder_needed', { quote: { hours_until_expiration: 12, reminder_sent: 'no' } })).toMatch(
      /cannot compare the string "no" and a boolean/,
    );
    expect(evaluate(file, 'check_expired', { quote: { hours_until_expiration: -1 } })).toBe(true);
    expect(evaluate(file, 'check_expired', { quote: { hours_until_expiration: 5 } })).toBe(false);
  });

  it('quote-multi-level-approval', () => {
    const file = 'quote-multi-level-approval.json';
    const value = (quote: object) => evaluate(file, 'check_quote_value', { quote });
    expect(value({ total: 6000 })).toBe(true);
    expect(value({ total: 1000, discount_percentage: 20 })).toBe(true);
    expect(value({ total: 1000, discount_percentage: 5, has_custom_pricing: true })).toBe(true);
    expect(value({ total: 1000, discount_percentage: 5, has_custom_pricing: false })).toBe(false);
    expect(value({ total: 1000, discount_percentage: 5 })).toBe('error: field quote.has_custom_pricing is missing');
    expect(evaluate(file, 'check_rep_decision', { quote: { rep_decision: 'approved' } })).toBe(true);
    expect(evaluate(file, 'check_manager_decision', { quote: { manager_decision: 'rejected' } })).toBe(false);
  });
});
