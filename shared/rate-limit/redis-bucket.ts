/**
 * Fleet-wide token bucket in Redis: every process that uses the same key shares one budget of
 * ratePerSecond (+ burst). Each attempt is one Lua call that either grants or says how long until the next
 * token; the caller sleeps that long plus a little jitter (so processes do not retry in lockstep) and tries
 * again, giving up as soon as the next token would come after its deadline.
 */
import type { Redis } from "ioredis";
import { closeRedis, givenOrNewRedis } from "../idempotency/redis-client.ts";
import { defineScript } from "../idempotency/redis-script.ts";
import { type AimdOptions, createAimd } from "./aimd.ts";
import {
  type BucketOptions,
  type RateLimiter,
  RateLimiterUnavailableError,
  requireBucketOptions,
} from "./limiter.ts";
import { TOKEN_BUCKET_LUA } from "./token-bucket-script.ts";

export interface RedisBucketOptions extends BucketOptions {
  /** Use this client (not closed by the bucket); otherwise one is opened from `url`. */
  redis?: Redis;
  url?: string;
  /** The Redis key of the bucket, shared by every process that must stay under the same rate. */
  key: string;
  /** For a client opened from `url`. Default 1000 ms each. */
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  aimd?: AimdOptions;
}

export interface RedisBucket extends RateLimiter {
  /** This process's share of the rate after throttling: ratePerSecond x AIMD factor at nowMs (epoch ms). */
  effectiveRatePerSecond(nowMs: number): number;
}

export function createRedisBucket(options: RedisBucketOptions): RedisBucket {
  requireBucketOptions(options);
  if (!options.key) throw new RangeError("key must be a non-empty string");
  const { redis, owned: ownsClient } = givenOrNewRedis(options);
  const take = defineScript(redis, "eiamTokenBucketTake", TOKEN_BUCKET_LUA, 1);
  const aimd = createAimd(options.aimd);
  let closed = false;

  async function tryTake(): Promise<{ granted: boolean; waitMs: number }> {
    const cost = 1 / aimd.factor(Date.now());
    let reply: unknown;
    try {
      reply = await take([options.key], [options.ratePerSecond, options.burst, cost]);
    } catch (error) {
      throw new RateLimiterUnavailableError(error);
    }
    if (!Array.isArray(reply) || typeof reply[0] !== "number" || typeof reply[1] !== "number") {
      throw new RateLimiterUnavailableError(
        new TypeError(`unexpected bucket reply ${JSON.stringify(reply)}`),
      );
    }
    return { granted: reply[0] === 1, waitMs: reply[1] };
  }

  return {
    async acquire(deadlineMs) {
      if (!Number.isFinite(deadlineMs))
        throw new RangeError(`deadlineMs must be a finite number, got ${deadlineMs}`);
      while (!closed && Date.now() < deadlineMs) {
        const { granted, waitMs } = await tryTake();
        if (granted) return true;
        const now = Date.now();
        if (now + waitMs >= deadlineMs) return false;
        const jitterMs = Math.random() * (2 + waitMs * 0.2);
        await sleep(Math.min(waitMs + jitterMs, deadlineMs - now));
      }
      return false;
    },

    onThrottled(nowMs) {
      aimd.onThrottled(nowMs);
    },

    effectiveRatePerSecond(nowMs) {
      return options.ratePerSecond * aimd.factor(nowMs);
    },

    async close() {
      closed = true;
      if (ownsClient) await closeRedis(redis);
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
