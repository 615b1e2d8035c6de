import type { RateLimiter } from "../rate-limit/limiter.ts";
import { EiamError } from "./errors.ts";

/** Waits for a token of EIAM's quota; none before the deadline is a retryable failure of the call. */
export async function takeEiamQuota(limiter: RateLimiter, deadlineMs: number): Promise<void> {
  if (!(await limiter.acquire(deadlineMs))) {
    throw new EiamError("LocalRateLimit", "no EIAM quota left before the deadline", true);
  }
}
