/**
 * Short, content-free descriptions of a JSON value for error messages: the shape is named,
 * the data (which may hold personal data) is not. Every piece is length-capped.
 */

const MAX_KEYS_SHOWN = 12;
/** Keys are shown only when they look like field names; anything else (an email used as a key…) is counted. */
const FIELD_NAME = /^[A-Za-z_$][A-Za-z0-9_$-]{0,31}$/;

/** Trim to `max` characters (adding `…`) and replace control characters so a log line stays one line. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  const safe = chars.slice(0, max).map((char) => (isControl(char) ? "?" : char));
  return chars.length > max ? `${safe.join("")}…` : safe.join("");
}

function isControl(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

export function describeKeys(value: object): string {
  const keys = Object.keys(value);
  const names = keys.filter((key) => FIELD_NAME.test(key));
  const shown = names.slice(0, MAX_KEYS_SHOWN);
  const hidden = keys.length - shown.length;
  const more = hidden > 0 ? `${shown.length > 0 ? ", " : ""}… (${hidden} more)` : "";
  return `[${shown.join(", ")}${more}]`;
}

/** e.g. `a JSON object with keys [foo, bar]`, `a JSON array of 3 numbers`, `a JSON string of 11 characters`. */
export function describeJson(value: unknown): string {
  const kind = kindOf(value);
  if (kind === "null") return "JSON null";
  if (kind === "string") return `a JSON string of ${(value as string).length} characters`;
  if (kind === "number" || kind === "boolean") return `a JSON ${kind}`;
  if (Array.isArray(value)) {
    if (value.length === 0) return "an empty JSON array";
    const kinds = [...new Set(value.map(kindOf))];
    if (kinds.length === 1)
      return `a JSON array of ${value.length} ${kinds[0]}${value.length === 1 ? "" : "s"}`;
    return `a JSON array of ${value.length} elements (${kinds.join(", ")})`;
  }
  const object = value as object;
  if (Object.keys(object).length === 0) return "an empty JSON object";
  return `a JSON object with keys ${describeKeys(object)}`;
}

/** e.g. `not JSON: 11 bytes of text starting with a letter` — never the text itself (it may be personal data). */
export function describeNonJson(text: string): string {
  if (text.trim() === "") return "an empty invocation payload";
  const first = text.trimStart().codePointAt(0) ?? 0;
  const start = /\p{L}/u.test(String.fromCodePoint(first))
    ? "a letter"
    : /\p{N}/u.test(String.fromCodePoint(first))
      ? "a digit"
      : `'${clip(String.fromCodePoint(first), 1)}'`;
  return `not JSON: ${Buffer.byteLength(text)} bytes of text starting with ${start}`;
}
