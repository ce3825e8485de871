import type { JsonRecord } from '@iwf/contracts';
import { mergeInto } from '@iwf/command-service/engine/domain/execution/index';

/**
 * How the execution context changes (WORKFLOWS.md "Context"): the read model folds it with the
 * engine's own rules, so the context it shows is the one the engine decided with.
 */
export { applyLoadedResources, mergeInto } from '@iwf/command-service/engine/domain/execution/index';

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An http_request's JSON object answer becomes part of the context. */
export function mergeHttpAnswer(context: JsonRecord, result: unknown): JsonRecord {
  const body = isObject(result) ? result['body'] : undefined;
  return isObject(body) ? mergeInto(context, body) : context;
}
