import type { ExecutionError, Step, StepFailed } from '@iwf/contracts';
import { parseDuration, WORKFLOW_LIMITS } from '@iwf/contracts';
import { targetOf } from './definition.js';
import { addMs } from './progress.js';
import type { StepRun } from './state.js';

type RetryPolicy = NonNullable<Extract<Step, { retry?: unknown }>['retry']>;

const DEFAULT_INITIAL_MS = 1_000;
const DEFAULT_RETRY_ON: readonly string[] = ['timeout', '5xx', 'network'];

/** The `retry_on` class of an error; deterministic errors (evaluation, invalid, loop) have none. */
function retryClass(error: ExecutionError): string | undefined {
  switch (error.kind) {
    case 'timeout':
    case 'network':
      return error.kind;
    case 'http_5xx':
      return '5xx';
    case 'http_4xx':
      return '4xx';
    case 'other':
      return 'other';
    case 'evaluation':
    case 'invalid':
    case 'loop':
      return undefined;
  }
}

export function isRetryable(policy: RetryPolicy, error: ExecutionError): boolean {
  const errorClass = retryClass(error);
  if (errorClass === undefined) return false;
  const retryOn: readonly string[] = policy.retry_on ?? DEFAULT_RETRY_ON;
  return retryOn.includes('*') || retryOn.includes(errorClass);
}

/**
 * Wait before the attempt after `failedAttempt` (1-based): fixed = initial, linear =
 * initial × n, exponential = initial × 2^(n-1); capped by `max_interval`.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number): number {
  const initial = durationOr(policy.initial_interval, DEFAULT_INITIAL_MS);
  const cap = durationOr(policy.max_interval, WORKFLOW_LIMITS.maxDurationMs);
  const n = Math.max(1, failedAttempt);
  const backoff = policy.backoff ?? 'exponential';
  const raw = backoff === 'fixed' ? initial : backoff === 'linear' ? initial * n : initial * 2 ** Math.min(n - 1, 40);
  return Math.min(raw, cap);
}

const durationOr = (text: string | undefined, fallback: number): number => {
  const ms = text === undefined ? undefined : parseDuration(text);
  return ms === undefined || ms <= 0 ? fallback : ms;
};

const policyOf = (step: Step | undefined): RetryPolicy | undefined =>
  step !== undefined && 'retry' in step && step.retry !== undefined ? step.retry : undefined;

/**
 * The attempt failed: retry when the policy allows another attempt for this error, else go
 * to `on_error`, else (next null) the thread fails with the error.
 */
export function stepFailure(entry: StepRun, step: Step | undefined, error: ExecutionError, now: string): StepFailed {
  const policy = policyOf(step);
  const retry = policy !== undefined && entry.attempts < policy.max_attempts && isRetryable(policy, error);
  const retryAt = retry ? addMs(now, retryDelayMs(policy, entry.attempts)) : null;
  return {
    type: 'StepFailed',
    data: {
      run: entry.run,
      step_id: entry.step_id,
      path: entry.path,
      attempt: entry.attempts,
      error,
      retry_at: retryAt,
      next: retryAt === null && step !== undefined ? targetOf(step, 'on_error') : null,
      at: now,
    },
  };
}

export const evaluationError = (message: string): ExecutionError => ({ kind: 'evaluation', message });
export const invalidError = (message: string): ExecutionError => ({ kind: 'invalid', message });
