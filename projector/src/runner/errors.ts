import { EventHandlingError } from './projection.js';

/**
 * Which failures the runner waits out and which stop it. A dropped connection, a restarting
 * server or a serialisation conflict pass; a handler bug or a constraint violation does not,
 * because retrying the same batch would fail the same way.
 */

// SQLSTATE classes and codes that a retry of the same work can get past.
const TRANSIENT_CLASSES = ['08', '53', '57P', '58'];
const TRANSIENT_CODES = new Set(['40001', '40P01', '55P03', '57014']);
// ...and 'unavailable': a DomainError for a store that is not answering (KurrentDB's adapter).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'unavailable']);
const CONNECTION_MESSAGES = [/connection terminated/i, /connection (was )?closed/i, /not queryable/i, /timeout exceeded when trying to connect/i];

export function isTransientError(error: unknown): boolean {
  if (error instanceof EventHandlingError) return isTransientError(error.cause);
  if (error instanceof LostLeadershipError) return false;
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || TRANSIENT_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) return TRANSIENT_CLASSES.some((prefix) => code.startsWith(prefix));
  }
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
}

/** Another instance moved the checkpoint: this one is no longer the active runner. */
export class LostLeadershipError extends Error {
  constructor(projection: string) {
    super(`projection ${projection}: the checkpoint moved under this runner; another instance is active`);
    this.name = 'LostLeadershipError';
  }
}

/** The runner was asked to stop while it waited; not a failure. */
export class StopRequestedError extends Error {
  constructor() {
    super('stop requested');
    this.name = 'StopRequestedError';
  }
}

/** Milliseconds to wait before the given (0-based) retry: doubling, capped, with jitter. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
  return Math.round(base / 2 + Math.random() * (base / 2));
}
