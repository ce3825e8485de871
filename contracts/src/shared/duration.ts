/**
 * Durations as authors write them: `30s`, `5m`, `48h`, `7d`, `250ms`, and combinations in
 * descending units (`1h30m`, `1d12h`). Decimals are allowed per part (`1.5h`).
 */
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;

/** Largest first, so the order check is an index comparison. */
const UNIT_ORDER: readonly Unit[] = ['d', 'h', 'm', 's', 'ms'];

// `ms` before `m`, so "250ms" is not read as 250 minutes followed by "s".
const PART = String.raw`(\d+(?:\.\d+)?)(ms|d|h|m|s)`;

/** Milliseconds of a duration text, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > 64) return undefined;
  let total = 0;
  let lastUnit = -1;
  const part = new RegExp(PART, 'y');
  while (part.lastIndex < text.length) {
    const match = part.exec(text);
    if (match === null) return undefined;
    const unit = match[2] as Unit;
    const order = UNIT_ORDER.indexOf(unit);
    // "30m1h" or "1h1h" reads ambiguously; one way to write each duration.
    if (order <= lastUnit) return undefined;
    lastUnit = order;
    total += Number(match[1]) * UNIT_MS[unit];
  }
  const ms = Math.round(total);
  return Number.isSafeInteger(ms) ? ms : undefined;
}
