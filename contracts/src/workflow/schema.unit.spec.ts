import { describe, expect, it } from 'vitest';
import { ALL_OPERATORS, canonicalOperator } from './schema-conditions.js';
import { actionTypeOf } from './schema-steps.js';
import { containsTemplate, isTemplate, templatePath } from './templates.js';

describe('canonicalOperator', () => {
  it('maps each symbolic alias to its named operator', () => {
    expect(['==', '!=', '>', '>=', '<', '<='].map(canonicalOperator)).toEqual(['eq', 'neq', 'gt', 'gte', 'lt', 'lte']);
  });

  it('keeps named operators and knows every accepted spelling', () => {
    for (const operator of ALL_OPERATORS) expect(canonicalOperator(operator), operator).toBeDefined();
    expect(canonicalOperator('not_in')).toBe('not_in');
  });

  it('rejects unknown spellings, including inherited object keys', () => {
    expect(canonicalOperator('=~')).toBeUndefined();
    expect(canonicalOperator('toString')).toBeUndefined();
  });
});

describe('actionTypeOf', () => {
  it('reads type, or its alias action', () => {
    expect(actionTypeOf({ type: 'allow' })).toBe('allow');
    expect(actionTypeOf({ action: 'block' })).toBe('block');
    expect(actionTypeOf({})).toBeUndefined();
  });
});

describe('templates', () => {
  it('tells a whole template from text containing one', () => {
    expect(isTemplate('{{order.lines}}')).toBe(true);
    expect(isTemplate('${ order.lines }')).toBe(true);
    expect(isTemplate('total: {{order.total}}')).toBe(false);
    expect(containsTemplate('total: {{order.total}}')).toBe(true);
    expect(containsTemplate('$5 total')).toBe(false);
  });

  it('extracts the path of a whole template', () => {
    expect(templatePath('{{ order.lines.length }}')).toBe('order.lines.length');
    expect(templatePath('${items.0}')).toBe('items.0');
    expect(templatePath('x {{y}}')).toBeUndefined();
  });
});
