/**
 * Template syntax shared by the validator and the engine: `{{path}}` and `${path}`.
 * A path is dotted segments (`order.lines`, `items.0.sku`, `order.lines.length`).
 */
const PATH = String.raw`[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*`;

export const TEMPLATE_PATTERN = String.raw`^(?:\{\{\s*${PATH}\s*\}\}|\$\{\s*${PATH}\s*\})$`;
const WHOLE = new RegExp(TEMPLATE_PATTERN);
const WHOLE_PATH = new RegExp(`^${PATH}$`);
const ANY = /\{\{[^{}]*\}\}|\$\{[^{}]*\}/;

/** True when the whole string is exactly one template, so it evaluates to a raw value. */
export function isTemplate(text: string): boolean {
  return WHOLE.test(text);
}

/** True when the string contains a template anywhere (resolved at run time). */
export function containsTemplate(text: string): boolean {
  return ANY.test(text);
}

/** True for a context path such as `customer.profile` or `order.lines.length`. */
export function isContextPath(text: string): boolean {
  return WHOLE_PATH.test(text);
}

/** The path inside a whole-string template, e.g. `order.lines` for `{{ order.lines }}`. */
export function templatePath(text: string): string | undefined {
  if (!isTemplate(text)) return undefined;
  return text.startsWith('{{') ? text.slice(2, -2).trim() : text.slice(2, -1).trim();
}
