/**
 * In-process token bucket: refills continuously at ratePerSecond (times the AIMD factor) up to burst, measured
 * on the monotonic clock. Waiters are served first come, first served; one timer wakes the queue when the next
 * token is due or the earliest deadline falls, so nothing polls.
 */
import { type AimdOptions, createAimd } from "./aimd.ts";
import { type BucketOptions, type RateLimiter, requireBucketOptions } from "./limiter.ts";

export interface MemoryBucketOptions extends BucketOptions {
  aimd?: AimdOptions;
}

export interface MemoryBucket extends RateLimiter {
  /** The rate in force at nowMs (epoch ms), after throttling. */
  effectiveRatePerSecond(nowMs: number): number;
}

interface Waiter {
  deadlineMs: number;
  resolve: (granted: boolean) => void;
}

export function createMemoryBucket(options: MemoryBucketOptions): MemoryBucket {
  requireBucketOptions(options);
  const { ratePerSecond, burst } = options;
  const aimd = createAimd(options.aimd);
  let tokens = burst;
  let refilledAt = performance.now();
  const waiters: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const ratePerMs = () => (ratePerSecond * aimd.factor(Date.now())) / 1000;

  function refill(): void {
    const now = performance.now();
    tokens = Math.min(burst, tokens + (now - refilledAt) * ratePerMs());
    refilledAt = now;
  }

  function serve(): void {
    timer = undefined;
    refill();
    const now = Date.now();
    for (let i = 0; i < waiters.length; ) {
      const waiter = waiters[i]!;
      if (waiter.deadlineMs <= now) {
        waiters.splice(i, 1);
        waiter.resolve(false);
      } else {
        i += 1;
      }
    }
    while (waiters.length > 0 && tokens >= 1) {
      tokens -= 1;
      waiters.shift()!.resolve(true);
    }
    schedule();
  }

  function schedule(): void {
    if (timer !== undefined || waiters.length === 0) return;
    const untilToken = (1 - tokens) / ratePerMs();
    const earliestDeadline = waiters.reduce(
      (min, w) => Math.min(min, w.deadlineMs),
      Number.POSITIVE_INFINITY,
    );
    const untilDeadline = earliestDeadline - Date.now();
    timer = setTimeout(serve, Math.max(1, Math.ceil(Math.min(untilToken, untilDeadline))));
  }

  return {
    acquire(deadlineMs) {
      if (closed) return Promise.reject(new Error("rate limiter is closed"));
      if (!Number.isFinite(deadlineMs)) {
        return Promise.reject(new RangeError(`deadlineMs must be a finite number, got ${deadlineMs}`));
      }
      if (Date.now() >= deadlineMs) return Promise.resolve(false);
      refill();
      if (waiters.length === 0 && tokens >= 1) {
        tokens -= 1;
        return Promise.resolve(true);
      }
      return new Promise<boolean>((resolve) => {
        waiters.push({ deadlineMs, resolve });
        schedule();
      });
    },

    onThrottled(nowMs) {
      refill();
      // No burst right after a throttle answer: spending saved-up tokens would only provoke the next one.
      if (aimd.onThrottled(nowMs)) tokens = Math.min(tokens, 0);
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      schedule();
    },

    effectiveRatePerSecond(nowMs) {
      return ratePerSecond * aimd.factor(nowMs);
    },

    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      for (const waiter of waiters.splice(0)) waiter.resolve(false);
    },
  };
}
