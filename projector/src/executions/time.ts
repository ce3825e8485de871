/**
 * Timestamps are normalised to millisecond ISO strings before they are stored, so what the
 * database gives back and what the projector caches are the same text.
 */
export function isoTime(text: string): string {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new Error(`invalid timestamp ${JSON.stringify(text)}`);
  return date.toISOString();
}
