/**
 * Caps a string that came from outside before it is logged or stored, so that no input can make a log line or
 * a record arbitrarily large (or a later scan of it arbitrarily slow). Never splits a surrogate pair; says how
 * much was cut.
 */
export function cap(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…[${text.length - end} more]`;
}

/** Event ids are at most 128 characters when valid; an invalid one is kept this long in logs and records. */
export const MAX_ID_LENGTH = 256;
/** Any other string in a log line or an error message. */
export const MAX_TEXT_LENGTH = 2048;
