import type pg from 'pg';

/** The schema every live read model lives in; its tables are named `iwf_read.<table>` in SQL. */
export const LIVE_SCHEMA = 'iwf_read';

/**
 * Points a projection's SQL at copies of its tables in another schema. Projections name their
 * tables `iwf_read.<table>`; only the tables listed move, so a handler that reads another
 * model's table (or the checkpoints) still reads the live one.
 */
export function retargetSql(text: string, tables: readonly string[], schema: string): string {
  if (tables.length === 0) return text;
  const pattern = new RegExp(`\\b${LIVE_SCHEMA}\\.(${tables.map(escapeRegExp).join('|')})\\b`, 'g');
  return text.replace(pattern, `${schema}.$1`);
}

type QueryArgs = [config: unknown, values?: unknown, callback?: unknown];

/**
 * A client whose queries go to the copies; everything else is the client itself. Named
 * prepared statements get a schema suffix, since their text differs from the live ones'.
 */
export function retargetClient(client: pg.PoolClient, tables: readonly string[], schema: string): pg.PoolClient {
  const rewritten = new Map<string, string>();
  const rewrite = (text: string): string => {
    let found = rewritten.get(text);
    if (found === undefined) {
      found = retargetSql(text, tables, schema);
      rewritten.set(text, found);
    }
    return found;
  };
  const query = (...[config, values, callback]: QueryArgs): unknown => {
    const call = client.query.bind(client) as (...args: unknown[]) => unknown;
    if (typeof config === 'string') return call(rewrite(config), values, callback);
    if (isPlainConfig(config)) {
      const name = typeof config['name'] === 'string' ? `${config['name']}@${schema}` : undefined;
      return call({ ...config, text: rewrite(config['text']), ...(name ? { name } : {}) }, values, callback);
    }
    return call(config, values, callback);
  };
  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') return query;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function isPlainConfig(config: unknown): config is Record<string, unknown> & { text: string } {
  return typeof config === 'object' && config !== null && Object.getPrototypeOf(config) === Object.prototype && typeof (config as { text?: unknown }).text === 'string';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A schema name derived from a projection name: lower case, [a-z0-9_], within PostgreSQL's 63 bytes. */
export function schemaName(prefix: string, projection: string, suffix = ''): string {
  const safe = projection.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return `${prefix}_${safe}`.slice(0, 63 - suffix.length) + suffix;
}
