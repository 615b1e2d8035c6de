/**
 * How big the reliability suite runs: `RELIABILITY_SCALE` multiplies event counts and fuzz runs (default 1,
 * sized for CI). Anything but a positive number is a mistake worth stopping for.
 */
export function readScale(text: string | undefined): number {
  if (text === undefined || text.trim() === "") return 1;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(
      `RELIABILITY_SCALE must be a positive number (e.g. 1 or 10), got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

export const SCALE = readScale(process.env.RELIABILITY_SCALE);

/** `base` times the scale, at least 1. */
export function scaled(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}
