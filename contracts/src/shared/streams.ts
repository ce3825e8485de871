/**
 * Stream ids carry their tenant, so no two tenants can ever share a stream:
 * `<category>:<tenant>:<id>`. Ids are restricted to a safe alphabet without ':'.
 */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$';
const ID_REGEX = new RegExp(ID_PATTERN);

export type StreamCategory = 'workflow' | 'execution' | 'approval' | 'ingest' | 'rule' | 'api_key' | 'schedule' | 'access';

export function isValidId(id: string): boolean {
  return ID_REGEX.test(id);
}

export function streamId(category: StreamCategory, tenant: string, id: string): string {
  return `${category}:${tenant}:${id}`;
}

export interface ParsedStreamId {
  readonly category: string;
  readonly tenant: string;
  readonly id: string;
}

export function parseStreamId(stream: string): ParsedStreamId | undefined {
  const first = stream.indexOf(':');
  const second = stream.indexOf(':', first + 1);
  if (first <= 0 || second <= first + 1 || second === stream.length - 1) return undefined;
  return { category: stream.slice(0, first), tenant: stream.slice(first + 1, second), id: stream.slice(second + 1) };
}
