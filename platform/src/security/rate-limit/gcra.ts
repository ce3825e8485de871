/**
 * Generic cell rate algorithm: a token bucket kept as one number, the theoretical arrival
 * time (TAT) of the next request. A bucket of `burst` tokens refills at `perSecond`; the Redis
 * store runs the same arithmetic in a script, so every replica shares one bucket per key.
 * Times are integer microseconds, exact in a double for the next few centuries.
 */
export interface RateRule {
  readonly perSecond: number;
  readonly burst: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** Requests still allowed right now after this one. */
  readonly remaining: number;
  /** When denied: how long until one request is allowed again. */
  readonly retryAfterMs: number;
  /** How long until the bucket is full again. */
  readonly resetMs: number;
  readonly limit: number;
}

export interface GcraParameters {
  /** Microseconds one request costs. */
  readonly interval: number;
  /** Microseconds of credit a full bucket holds. */
  readonly tolerance: number;
}

export function gcraParameters(rule: RateRule): GcraParameters {
  const interval = Math.max(1, Math.round(1_000_000 / rule.perSecond));
  return { interval, tolerance: interval * rule.burst };
}

/** One request at `now`: the decision and the TAT to store (unchanged when denied). */
export function gcraStep(storedTat: number | undefined, now: number, rule: RateRule): { readonly decision: RateDecision; readonly tat: number } {
  const { interval, tolerance } = gcraParameters(rule);
  const tat = Math.max(storedTat ?? now, now);
  const next = tat + interval;
  const allowAt = next - tolerance;
  if (allowAt > now) {
    return { tat, decision: { allowed: false, remaining: 0, retryAfterMs: Math.ceil((allowAt - now) / 1000), resetMs: Math.ceil((tat - now) / 1000), limit: rule.burst } };
  }
  const remaining = Math.floor((now - allowAt) / interval);
  return { tat: next, decision: { allowed: true, remaining, retryAfterMs: 0, resetMs: Math.ceil((next - now) / 1000), limit: rule.burst } };
}
