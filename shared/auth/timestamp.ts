/** Parsing and window check of a signed Unix timestamp, shared by both signing schemes. */

/**
 * Whole seconds, digits only, no sign or leading zero (so the signed text has one spelling),
 * at most 12 digits: anything longer is absurd, and usually a timestamp in milliseconds.
 */
const UNIX_SECONDS = /^[1-9][0-9]{0,11}$/;

/** Returns the seconds, or `undefined` when the text is not a timestamp we accept. */
export function parseUnixSeconds(text: string): number | undefined {
  return UNIX_SECONDS.test(text) ? Number(text) : undefined;
}

/** Both bounds are inclusive: exactly `toleranceSeconds` away still passes, like the reference library. */
export function checkTimestampWindow(
  timestampSeconds: number,
  nowMs: number,
  toleranceSeconds: number,
): "timestamp_too_old" | "timestamp_in_future" | undefined {
  const ageSeconds = Math.floor(nowMs / 1000) - timestampSeconds;
  if (ageSeconds > toleranceSeconds) return "timestamp_too_old";
  if (-ageSeconds > toleranceSeconds) return "timestamp_in_future";
  return undefined;
}
