import { fileURLToPath } from "node:url";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAimd } from "../../shared/rate-limit/aimd.ts";
import { RateLimiterUnavailableError } from "../../shared/rate-limit/limiter.ts";
import { createMemoryBucket } from "../../shared/rate-limit/memory-bucket.ts";
import { createRedisBucket } from "../../shared/rate-limit/redis-bucket.ts";
import { runRacingChildren } from "../helpers/race-children.ts";
import { deleteKeysWithPrefix, openTestRedis, REDIS_URL, uniqueKeyPrefix } from "../helpers/redis.ts";

/** Slack for timers firing late on a busy machine. */
const TIMER_SLACK_MS = 150;

const prefix = uniqueKeyPrefix("rate-limit");
let admin: Redis;
beforeAll(() => {
  admin = openTestRedis();
});
afterAll(async () => {
  await deleteKeysWithPrefix(admin, prefix);
  await admin.quit();
});

/** Acquires `calls` tokens at once, all with the same deadline; returns the answers in call order. */
async function acquireMany(
  acquire: (deadlineMs: number) => Promise<boolean>,
  calls: number,
  windowMs: number,
): Promise<{ answers: boolean[]; elapsedMs: number; latestAnswerAfterDeadlineMs: number }> {
  const started = Date.now();
  const deadline = started + windowMs;
  const answeredAt: number[] = [];
  const answers = await Promise.all(
    Array.from({ length: calls }, async (_, i) => {
      const granted = await acquire(deadline);
      answeredAt[i] = Date.now();
      return granted;
    }),
  );
  return {
    answers,
    elapsedMs: Date.now() - started,
    latestAnswerAfterDeadlineMs: Math.max(...answeredAt) - deadline,
  };
}

describe("AIMD", () => {
  it("halves on throttling, counts a burst of throttle answers once, and climbs back linearly", () => {
    const aimd = createAimd({ decreaseCooldownMs: 1000, recoveryPerSecond: 0.1, minFactor: 0.1 });
    const t = 1_000_000;
    expect(aimd.factor(t)).toBe(1);
    expect(aimd.onThrottled(t)).toBe(true);
    expect(aimd.factor(t)).toBe(0.5);
    expect(aimd.onThrottled(t + 300)).toBe(false); // same congestion, already answered
    expect(aimd.factor(t + 300)).toBeCloseTo(0.53);
    expect(aimd.factor(t + 2500)).toBeCloseTo(0.75);
    expect(aimd.factor(t + 5000)).toBe(1);
    expect(aimd.onThrottled(t + 1000)).toBe(true);
    expect(aimd.factor(t + 1000)).toBeCloseTo(0.3); // half of 0.6
  });

  it("never goes below minFactor", () => {
    const aimd = createAimd({ decreaseCooldownMs: 0, minFactor: 0.2 });
    for (let i = 0; i < 10; i++) aimd.onThrottled(5000);
    expect(aimd.factor(5000)).toBe(0.2);
  });
});

describe("memory token bucket", () => {
  it("grants about burst + rate x time over a window, first come first served", async () => {
    const bucket = createMemoryBucket({ ratePerSecond: 100, burst: 5 });
    const { answers, elapsedMs, latestAnswerAfterDeadlineMs } = await acquireMany(
      (d) => bucket.acquire(d),
      100,
      500,
    );
    const granted = answers.filter(Boolean).length;
    expect(granted).toBeLessThanOrEqual(5 + Math.ceil((100 * elapsedMs) / 1000) + 1);
    expect(granted).toBeGreaterThanOrEqual(5 + 100 * 0.5 * 0.5);
    // FIFO: the grants went to the earliest callers.
    expect(answers.indexOf(false)).toBe(granted);
    expect(latestAnswerAfterDeadlineMs).toBeLessThan(TIMER_SLACK_MS);
    await bucket.close();
  });

  it("answers false by the deadline when no token comes in time, and at once for a past deadline", async () => {
    const bucket = createMemoryBucket({ ratePerSecond: 1, burst: 1 });
    expect(await bucket.acquire(Date.now() + 1000)).toBe(true);
    const started = Date.now();
    expect(await bucket.acquire(started + 200)).toBe(false);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(200 + TIMER_SLACK_MS);
    expect(await bucket.acquire(Date.now() - 1)).toBe(false);
    await bucket.close();
  });

  it("slows down after onThrottled: half the rate, no saved-up burst, then recovers", async () => {
    const normal = createMemoryBucket({ ratePerSecond: 50, burst: 5 });
    const throttled = createMemoryBucket({ ratePerSecond: 50, burst: 5 });
    const now = Date.now();
    throttled.onThrottled(now);
    expect(throttled.effectiveRatePerSecond(now)).toBe(25);
    expect(throttled.effectiveRatePerSecond(now + 10_000)).toBe(50);
    const [a, b] = await Promise.all([
      acquireMany((d) => normal.acquire(d), 60, 600),
      acquireMany((d) => throttled.acquire(d), 60, 600),
    ]);
    const normalGrants = a.answers.filter(Boolean).length;
    const throttledGrants = b.answers.filter(Boolean).length;
    expect(throttledGrants).toBeLessThan(normalGrants * 0.7);
    await Promise.all([normal.close(), throttled.close()]);
  });

  it("resolves waiting callers with false when closed", async () => {
    const bucket = createMemoryBucket({ ratePerSecond: 1, burst: 1 });
    await bucket.acquire(Date.now() + 1000);
    const waiting = bucket.acquire(Date.now() + 60_000);
    await bucket.close();
    expect(await waiting).toBe(false);
  });

  it("refuses a rate or burst it cannot work with", () => {
    expect(() => createMemoryBucket({ ratePerSecond: 0, burst: 1 })).toThrow(
      /ratePerSecond must be a positive/,
    );
    expect(() => createMemoryBucket({ ratePerSecond: 1, burst: 0.5 })).toThrow(/burst must be a number >= 1/);
  });
});

describe("Redis token bucket", () => {
  let n = 0;
  const bucketKey = () => `${prefix}bucket:{b${++n}}`;

  it("keeps 3 processes acquiring as fast as they can within rate x time + burst", async () => {
    const key = bucketKey();
    const rate = 40;
    const burst = 10;
    const results = (await runRacingChildren(
      fileURLToPath(new URL("../helpers/bucket-race-child.ts", import.meta.url)),
      Array.from({ length: 3 }, () => [REDIS_URL, key, String(rate), String(burst), "2000", "3"]),
    )) as { startedAt: number; grantTimes: number[] }[];
    const grants = results.flatMap((r) => r.grantTimes);
    const firstStart = Math.min(...results.map((r) => r.startedAt));
    const spanMs = Math.max(...grants) - firstStart;
    expect(grants.length).toBeLessThanOrEqual(burst + Math.ceil((rate * spanMs) / 1000) + 1);
    // And it does grant: the bucket is shared, not shut.
    expect(grants.length).toBeGreaterThanOrEqual(rate * 2 * 0.5);
    for (const r of results) expect(r.grantTimes.length).toBeGreaterThan(0);
  });

  it("answers false without waiting when the next token comes after the deadline", async () => {
    const bucket = createRedisBucket({ url: REDIS_URL, key: bucketKey(), ratePerSecond: 1, burst: 1 });
    expect(await bucket.acquire(Date.now() + 1000)).toBe(true);
    const started = Date.now();
    expect(await bucket.acquire(started + 300)).toBe(false);
    expect(Date.now() - started).toBeLessThan(300 + TIMER_SLACK_MS);
    await bucket.close();
  });

  it("waits for the next token when it comes before the deadline", async () => {
    const bucket = createRedisBucket({ url: REDIS_URL, key: bucketKey(), ratePerSecond: 10, burst: 1 });
    expect(await bucket.acquire(Date.now() + 1000)).toBe(true);
    const started = Date.now();
    expect(await bucket.acquire(started + 1000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    await bucket.close();
  });

  it("charges a throttled process 1 / factor tokens per grant, so the whole fleet slows down", async () => {
    const key = bucketKey();
    const bucket = createRedisBucket({ url: REDIS_URL, key, ratePerSecond: 1, burst: 3 });
    bucket.onThrottled(Date.now());
    expect(bucket.effectiveRatePerSecond(Date.now())).toBeCloseTo(0.5, 1);
    expect(await bucket.acquire(Date.now() + 100)).toBe(true);
    // Full bucket of 3, one grant at cost ~2 (the factor recovers a little in between).
    const tokens = Number(await admin.hget(key, "tokens"));
    expect(tokens).toBeGreaterThan(0.9);
    expect(tokens).toBeLessThan(1.2);
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(Math.ceil((3 - tokens) * 1000) + 1000);
    await bucket.close();
  });

  it("rejects with RateLimiterUnavailableError, promptly, when Redis cannot be reached", async () => {
    const bucket = createRedisBucket({
      url: "redis://127.0.0.1:1",
      key: bucketKey(),
      ratePerSecond: 1,
      burst: 1,
      commandTimeoutMs: 300,
    });
    const started = Date.now();
    await expect(bucket.acquire(Date.now() + 5000)).rejects.toBeInstanceOf(RateLimiterUnavailableError);
    expect(Date.now() - started).toBeLessThan(300 + TIMER_SLACK_MS * 2);
    await bucket.close();
  });
});
