import type { ApprovalEffectRequest, EffectKind, ExecuteItem, ExecutionError, JsonRecord } from '@iwf/contracts';
import { parseDuration } from '@iwf/contracts';
import { isPlainObject } from '../json.js';
import type { JsonValue } from '../json.js';
import { renderTemplate, textOf } from '../templates/index.js';
import { invalidError } from './failure.js';
import { addMs } from './progress.js';

export type RenderedItem =
  | {
      readonly ok: true;
      readonly kind: EffectKind;
      readonly request: unknown;
      readonly unresolved: readonly string[];
      /** Set for create_approval_request: the approval the request creates. */
      readonly approval: ApprovalEffectRequest | null;
    }
  | { readonly ok: false; readonly error: ExecutionError };

/** Ids an approval request needs, fixed by the caller from the item's idempotency key. */
export interface ApprovalIds {
  readonly approval_id: string;
  readonly execution_id: string;
  readonly workflow_id: string;
  readonly step_id: string;
}

type Rendered = Readonly<Record<string, JsonValue>>;

/**
 * Renders an execute item against the scope into the request the runtime performs. Missing
 * template paths render as null / empty text and are listed as `unresolved`; only a request
 * that cannot be sent at all (no URL, no approver role, a bad expiry) is an error.
 */
export function renderItem(item: ExecuteItem, scope: JsonRecord, now: string, ids: ApprovalIds): RenderedItem {
  const { value, missing } = renderTemplate(item, scope, { now });
  const rendered: Rendered = isPlainObject(value) ? value : {};
  const request = requestOf(item.type, rendered, now, ids);
  if ('error' in request) return { ok: false, error: request.error };
  const approval = item.type === 'create_approval_request' ? (request.request as ApprovalEffectRequest) : null;
  return { ok: true, kind: item.type, request: request.request, unresolved: missing, approval };
}

type Built = { readonly request: unknown } | { readonly error: ExecutionError };

function requestOf(kind: EffectKind, item: Rendered, now: string, ids: ApprovalIds): Built {
  switch (kind) {
    case 'http_request':
    case 'webhook':
      return httpRequest(item);
    case 'notify':
      return { request: { recipients: recipients(item['recipients']), message: text(item['message']) } };
    case 'create_record':
    case 'update_record':
      return {
        request: {
          event_type: kind === 'create_record' ? 'record.create_requested' : 'record.update_requested',
          entity: text(item['entity']),
          entity_id: item['entity_id'] === undefined || item['entity_id'] === null ? null : text(item['entity_id']),
          data: record(item['data']),
        },
      };
    case 'emit':
      return { request: { event_type: text(item['event_type']), payload: record(item['payload']) } };
    case 'create_approval_request':
      return approvalRequest(item, now, ids);
    case 'log':
      return { request: { message: text(item['message']), level: text(item['level']) || 'info' } };
    case 'load_context':
      return { error: invalidError('load_context is not an execute item') };
  }
}

function httpRequest(item: Rendered): Built {
  const url = text(item['url']);
  if (url.trim() === '') return { error: invalidError('the request URL rendered empty (is the template path in the context?)') };
  const headers: Record<string, string> = {};
  const source = item['headers'];
  if (isPlainObject(source)) for (const [name, value] of Object.entries(source)) headers[name] = textOf(value);
  return { request: { url, method: text(item['method']) || 'POST', headers, body: item['body'] ?? null } };
}

function approvalRequest(item: Rendered, now: string, ids: ApprovalIds): Built {
  const data = record(item['data']);
  const { approver_role, reason, expires_in, ...extra } = data;
  const role = text(approver_role as JsonValue);
  const expiresMs = parseDuration(text(expires_in as JsonValue));
  if (role === '') return { error: invalidError('create_approval_request needs data.approver_role') };
  if (expiresMs === undefined || expiresMs <= 0) return { error: invalidError('create_approval_request needs a valid data.expires_in') };
  const request: ApprovalEffectRequest = {
    ...ids,
    approver_role: role,
    entity: text(item['entity']),
    entity_id: text(item['entity_id']),
    reason: text(reason as JsonValue),
    data: extra,
    expires_at: addMs(now, expiresMs),
    blocking: false,
  };
  return { request };
}

const text = (value: JsonValue | undefined): string => (value === undefined ? '' : textOf(value));

const record = (value: JsonValue | undefined): JsonRecord => (isPlainObject(value) ? value : {});

/** Recipients as text; a template that yields a list adds each entry; empty ones are dropped. */
function recipients(value: JsonValue | undefined): readonly string[] {
  const list = Array.isArray(value) ? (value as readonly JsonValue[]) : [];
  return list.flatMap((entry) => (Array.isArray(entry) ? (entry as readonly JsonValue[]) : [entry])).map(text).filter((entry) => entry.trim() !== '');
}
