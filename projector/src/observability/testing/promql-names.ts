import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const MONITORING = fileURLToPath(new URL('../../../../monitoring/', import.meta.url));

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects: identifiers left after removing strings,
 * label matchers, ranges and grouping clauses, that are not function calls or keywords.
 */
export function metricNames(expression: string): string[] {
  const stripped = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const after = stripped.slice((match.index ?? 0) + name.length).trimStart();
    const before = stripped.slice(0, match.index ?? 0);
    if (after.startsWith('(') || KEYWORDS.has(name.toLowerCase())) continue;
    // Digits with a unit (5m) or exponent (1e3) are numbers, not names.
    if (/[0-9.]$/.test(before)) continue;
    names.add(name);
  }
  return [...names];
}

export interface ExpressionSource {
  readonly where: string;
  readonly expr: string;
}

/** Every `expr` of every panel target in the Grafana dashboards. */
export function dashboardExpressions(): ExpressionSource[] {
  const folder = join(MONITORING, 'grafana/dashboards');
  return readdirSync(folder)
    .filter((file) => file.endsWith('.json'))
    .flatMap((file) => {
      const dashboard = JSON.parse(readFileSync(join(folder, file), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
      return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `${file}: ${panel.title}`, expr: target.expr })));
    });
}

/** Every alert rule's expression. */
export function alertExpressions(): ExpressionSource[] {
  const folder = join(MONITORING, 'alerts');
  return readdirSync(folder)
    .filter((file) => file.endsWith('.yml'))
    .flatMap((file) => {
      const rules = parse(readFileSync(join(folder, file), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
      return rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `${file}: ${rule.alert}`, expr: rule.expr })));
    });
}
