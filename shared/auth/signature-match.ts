/** Splitting a signature header into tokens, and comparing candidates with expected values in constant time. */
import { timingSafeEqual } from "node:crypto";

/** More tokens than this in one header is not a rotation, it is garbage; refusing it bounds the work per request. */
export const MAX_SIGNATURE_TOKENS = 64;

/**
 * Splits on whitespace and commas, dropping empty pieces. Commas matter because a header sent twice reaches us
 * joined with "," (FC) or ", " (Node); neither hex nor base64 signatures contain either character.
 * Returns `undefined` when there are more than `MAX_SIGNATURE_TOKENS` tokens.
 */
export function splitSignatureTokens(headerValue: string): string[] | undefined {
  const tokens = headerValue.split(/[\s,]+/).filter((token) => token !== "");
  return tokens.length > MAX_SIGNATURE_TOKENS ? undefined : tokens;
}

/**
 * True when any candidate equals any expected value. Every pair is compared, with no early exit, so the time
 * taken depends only on how many candidates and secrets there are, not on whether or which one matched.
 */
export function anyPairEqual(candidates: readonly Buffer[], expected: readonly Buffer[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    for (const value of expected) {
      const sameLength = candidate.length === value.length;
      // timingSafeEqual throws on different lengths; compare value with itself then, so the work stays the same.
      const equal = timingSafeEqual(sameLength ? candidate : value, value) && sameLength;
      matched = equal || matched;
    }
  }
  return matched;
}
