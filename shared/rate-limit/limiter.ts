/** Pace calls to EIAM so that we stay under its QPS limit, and back off when EIAM says we are throttled. */
import { DependencyUnavailableError } from "../dependency-error.ts";

export interface RateLimiter {
  /** Wait for one token. Resolves true when granted, false if it could not be granted before deadlineMs (never waits past it). */
  acquire(deadlineMs: number): Promise<boolean>;
  /** EIAM answered "throttled": slow down (e.g. halve the effective rate for a while, then recover). */
  onThrottled(nowMs: number): void;
  close(): Promise<void>;
}

/** The shared bucket (Redis) could not be reached; the caller should fail the invocation so it is retried. */
export class RateLimiterUnavailableError extends DependencyUnavailableError {
  constructor(cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`rate limiter unavailable: ${detail}`, { cause });
    this.name = "RateLimiterUnavailableError";
  }
}

export interface BucketOptions {
  /** Sustained tokens per second (> 0). */
  ratePerSecond: number;
  /** Tokens that can be taken at once after an idle period (>= 1). */
  burst: number;
}

export function requireBucketOptions(options: BucketOptions): void {
  if (!Number.isFinite(options.ratePerSecond) || options.ratePerSecond <= 0) {
    throw new RangeError(`ratePerSecond must be a positive number, got ${options.ratePerSecond}`);
  }
  if (!Number.isFinite(options.burst) || options.burst < 1) {
    throw new RangeError(`burst must be a number >= 1, got ${options.burst}`);
  }
}

/**
 * A bucket that never lets more than `maxPerSecond` through in any one second: a small burst (2 % of the quota,
 * at least 1) for the start of a batch, and the rest as the steady rate (burst + rate × 1 s = the quota).
 */
export function bucketWithin(maxPerSecond: number): BucketOptions {
  const burst = Math.max(1, Math.floor(maxPerSecond / 50));
  return { ratePerSecond: Math.max(maxPerSecond - burst, maxPerSecond / 2), burst };
}
