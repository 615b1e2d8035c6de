/** Keys that must never become properties of a record we build from untrusted input. */
const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);

/** A header or property value as a string: strings as is, arrays comma-joined (as FC does), others as JSON. */
export function headerValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(headerValue).join(",");
  if (value === undefined) return "";
  return JSON.stringify(value) ?? "";
}

/**
 * Lower-cased names, string values. Entries are added in order, so a later one wins over an earlier one with
 * the same lower-cased name. Prototype-related names are skipped (a message attribute cannot be called that).
 */
export function toHeaders(entries: Iterable<readonly [string, unknown]>): Record<string, string> {
  return toStringMap(entries, (name) => name.toLowerCase());
}

/** Like `toHeaders` but names are kept as given (query parameters are case-sensitive). */
export function toStringMap(
  entries: Iterable<readonly [string, unknown]>,
  rename: (name: string) => string = (name) => name,
): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [name, value] of entries) {
    const key = rename(name);
    if (FORBIDDEN_NAMES.has(key.toLowerCase())) continue;
    map[key] = headerValue(value);
  }
  return map;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
