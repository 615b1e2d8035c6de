import { setTimeout as sleep } from "node:timers/promises";
import { DependencyUnavailableError } from "../dependency-error.ts";
import { classifyEiamError, type EiamError } from "./errors.ts";

export interface RetryPolicy {
  /** Total tries, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryContext {
  /** Epoch ms after which no new attempt starts (the invocation deadline minus a safety margin). */
  deadlineMs: number;
  now?: () => number;
  random?: () => number;
  /** Time an attempt needs at least; no attempt starts with less than this left. */
  minAttemptMs?: number;
  onRetry?: (error: EiamError, attempt: number, delayMs: number) => void;
}

/** The error of the last attempt, with how many attempts were made. */
export class RetriesExhausted extends Error {
  constructor(
    readonly last: EiamError,
    readonly attempts: number,
    readonly reason: "attempts" | "deadline" | "permanent",
  ) {
    super(last.message);
  }
}

/** Exponential backoff with full jitter: delay = random(0, min(max, base * 2^(attempt-1))). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  ctx: RetryContext,
): Promise<{ value: T; attempts: number }> {
  const now = ctx.now ?? Date.now;
  const random = ctx.random ?? Math.random;
  const minAttemptMs = ctx.minAttemptMs ?? 50;
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await operation(attempt), attempts: attempt };
    } catch (err) {
      // Not EIAM's answer: the invocation fails and the platform delivers again (never a permanent error).
      if (err instanceof DependencyUnavailableError) throw err;
      const error = classifyEiamError(err);
      if (!error.retryable) throw new RetriesExhausted(error, attempt, "permanent");
      if (attempt >= policy.maxAttempts) throw new RetriesExhausted(error, attempt, "attempts");
      // Throttling answers wait at least one base delay so the pace really drops.
      const delay = Math.max(backoffDelay(policy, attempt, random), error.throttled ? policy.baseDelayMs : 0);
      if (now() + delay + minAttemptMs > ctx.deadlineMs)
        throw new RetriesExhausted(error, attempt, "deadline");
      ctx.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
