/**
 * RFC 3339 `date-time` with a mandatory offset (`Z` or `±hh:mm`), e.g. `2026-11-28T08:00:00Z`.
 * `T`/`Z` may be lower case (RFC 3339 §5.6 note); fractions of a second have 1–9 digits.
 */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** Longest accepted input: `YYYY-MM-DDThh:mm:ss.fffffffff+hh:mm`. */
export const RFC3339_MAX_LENGTH = 35;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Epoch milliseconds of an RFC 3339 timestamp, or undefined if the text is not one or names a date or
 * time that does not exist (Feb 30, 24:00, minute 60, …). Leap seconds (`:60`) are refused because
 * `Date.parse` cannot represent them.
 */
export function parseRfc3339(text: string): number | undefined {
  if (text.length > RFC3339_MAX_LENGTH) return undefined;
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const field = (group: number): number => Number(match[group]);
  const month = field(2);
  const day = field(3);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(field(1), month)) return undefined;
  if (field(4) > 23 || field(5) > 59 || field(6) > 59) return undefined;
  if (match[7] !== undefined && (field(7) > 23 || field(8) > 59)) return undefined;
  // Date.parse only understands upper-case T and Z.
  const ms = Date.parse(text.toUpperCase());
  return Number.isNaN(ms) ? undefined : ms;
}
