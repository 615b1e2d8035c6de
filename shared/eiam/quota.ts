import type { RateLimiter } from "../rate-limit/limiter.ts";
import { classifyEiamError, EiamError } from "./errors.ts";

/** Waits for a token of EIAM's quota; none before the deadline is a retryable failure of the call. */
export async function takeEiamQuota(limiter: RateLimiter, deadlineMs: number): Promise<void> {
  if (!(await limiter.acquire(deadlineMs))) {
    throw new EiamError("LocalRateLimit", "no EIAM quota left before the deadline", true);
  }
}

/**
 * One EIAM call within the quota: a token first, then the call with the time left before the deadline. A failure
 * comes back classified (EiamError), and an answer that says "throttled" slows the limiter down.
 */
export async function callWithinQuota<T>(
  limiter: RateLimiter,
  deadlineMs: number,
  now: () => number,
  call: (timeoutMs: number) => Promise<T>,
): Promise<T> {
  await takeEiamQuota(limiter, deadlineMs);
  try {
    return await call(Math.max(1, deadlineMs - now()));
  } catch (err) {
    const error = classifyEiamError(err);
    if (error.throttled) limiter.onThrottled(now());
    throw error;
  }
}
