/** Test access to the real local Redis: its URL, a unique key prefix per run, and cleanup of that prefix. */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A prefix no other test run uses; only characters that are literal in a SCAN MATCH pattern. */
export function uniqueKeyPrefix(label: string): string {
  return `eiam-user-sync-test:${label}:${process.pid}-${randomUUID()}:`;
}

/** A plain client for looking at keys (PTTL, HGETALL) from the test's side. */
export function openTestRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}

export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== "0");
  return deleted;
}
