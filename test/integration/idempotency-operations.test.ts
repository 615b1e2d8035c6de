/** The operations an event has done, per key and payload: the same contract for the memory and the Redis store. */
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore } from "../../shared/idempotency/memory-store.ts";
import { createRedisStore } from "../../shared/idempotency/redis-store.ts";
import type { IdempotencyStore } from "../../shared/idempotency/store.ts";
import { deleteKeysWithPrefix, openTestRedis, REDIS_URL, uniqueKeyPrefix } from "../helpers/redis.ts";

const prefix = uniqueKeyPrefix("operations");
const opened: IdempotencyStore[] = [];
let admin: Redis;

beforeAll(() => {
  admin = openTestRedis();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await deleteKeysWithPrefix(admin, prefix);
  await admin.quit();
});

const backends = [
  { name: "memory", open: () => createMemoryStore() },
  { name: "redis", open: () => createRedisStore({ url: REDIS_URL, keyPrefix: prefix }) },
];
let unique = 0;

describe.each(backends)("recordOperation / readOperations ($name)", (backend) => {
  const open = () => {
    const store = backend.open();
    opened.push(store);
    return store;
  };

  it("remembers each operation with its result, for exactly this key and payload", async () => {
    const store = open();
    const key = `evt-${++unique}`;
    expect(await store.readOperations(key, "h1")).toEqual({});
    await store.recordOperation(key, "h1", "CreateUser:abc", "user_1", 600);
    await store.recordOperation(key, "h1", "DisableUser:def", "REQ-2", 600);
    expect(await store.readOperations(key, "h1")).toEqual({
      "CreateUser:abc": "user_1",
      "DisableUser:def": "REQ-2",
    });
    expect(await store.readOperations(key, "h2")).toEqual({});
    expect(await store.readOperations(`${key}-other`, "h1")).toEqual({});
  });

  it("refuses an empty operation id or a bad ttl, naming the argument", async () => {
    const store = open();
    await expect(store.recordOperation("k", "h", "", "r", 60)).rejects.toThrow(/operationId/);
    await expect(store.recordOperation("k", "h", "op", "r", 0)).rejects.toThrow(/ttlSeconds/);
  });
});

describe("recordOperation on Redis", () => {
  it("is shared by two connections and expires with its ttl", async () => {
    const a = createRedisStore({ url: REDIS_URL, keyPrefix: prefix });
    const b = createRedisStore({ url: REDIS_URL, keyPrefix: prefix });
    opened.push(a, b);
    const key = `evt-${++unique}`;
    await a.recordOperation(key, "h1", "EnableUser:x", "REQ-1", 60);
    expect(await b.readOperations(key, "h1")).toEqual({ "EnableUser:x": "REQ-1" });
    const ttl = await admin.ttl(`${prefix}ops:{${key}}:h1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });
});

describe("recordOperation in memory", () => {
  it("forgets the operations once the ttl has passed", async () => {
    let now = 1_000_000;
    const store = createMemoryStore({ clock: () => now });
    opened.push(store);
    await store.recordOperation("k", "h", "op", "r", 10);
    now += 9_999;
    expect(await store.readOperations("k", "h")).toEqual({ op: "r" });
    now += 2;
    expect(await store.readOperations("k", "h")).toEqual({});
  });
});
