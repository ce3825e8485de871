/**
 * Deterministic ids, so a replay and a re-decided command name the same things. An
 * idempotency key identifies one item of one run of a step, whatever the attempt; effect
 * ids identify one request (one attempt).
 */
export const idempotencyKey = (executionId: string, thread: string, stepId: string, visit: number, item: number): string =>
  `${executionId}:${thread}:${stepId}:${visit}:${item}`;

export const effectId = (executionId: string, sequence: number): string => `${executionId}:effect:${sequence}`;

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/** FNV-1a, 64 bits, over UTF-16 code units: short stable ids from long keys. */
export function fnv1a64(text: string): string {
  let hash = FNV_OFFSET;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= BigInt(text.charCodeAt(index));
    hash = (hash * FNV_PRIME) & MASK;
  }
  return hash.toString(16).padStart(16, '0');
}

/**
 * Approval ids are stream ids (letters, digits, `_.-`, at most 128): the execution id when it
 * is short enough, then a hash of the item's idempotency key, so a retried request creates
 * (idempotently) the same approval.
 */
export function approvalId(executionId: string, key: string): string {
  const prefix = executionId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80);
  return `${prefix.length > 0 && /^[A-Za-z0-9]/.test(prefix) ? prefix : 'x'}.apr-${fnv1a64(key)}`;
}

export const timerIds = {
  stepRetry: (run: number, attempt: number) => `step_retry:${run}:${attempt}`,
  stepTimeout: (run: number, attempt: number) => `step_timeout:${run}:${attempt}`,
  waitTimeout: (run: number) => `wait_timeout:${run}`,
  executionTimeout: () => 'execution_timeout',
};
