import { connect, createServer, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { fieldVersion, storeKeys } from "../../shared/idempotency/keys.ts";
import { createMemoryStore } from "../../shared/idempotency/memory-store.ts";
import { createRedisStore } from "../../shared/idempotency/redis-store.ts";
import {
  type IdempotencyStore,
  IdempotencyStoreUnavailableError,
  type StoredOutcome,
} from "../../shared/idempotency/store.ts";
import { runRacingChildren } from "../helpers/race-children.ts";
import { deleteKeysWithPrefix, openTestRedis, REDIS_URL, uniqueKeyPrefix } from "../helpers/redis.ts";

const T0 = 1_780_000_000_000;
const LEASE = T0 + 30_000;
const applied: StoredOutcome = { status: "applied", at: T0 + 5, eiamRequestId: "req-1" };

interface Backend {
  name: string;
  /** `count` stores over the same data; for Redis each has its own connection. */
  open(count: number): IdempotencyStore[];
}

const redisPrefix = uniqueKeyPrefix("idempotency");
const opened: IdempotencyStore[] = [];
let admin: Redis;

beforeAll(() => {
  admin = openTestRedis();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await deleteKeysWithPrefix(admin, redisPrefix);
  await admin.quit();
});

const memory: Backend = {
  name: "memory",
  open(count) {
    const store = createMemoryStore();
    opened.push(store);
    return Array.from({ length: count }, () => store);
  },
};
const redis: Backend = {
  name: "redis",
  open(count) {
    const stores = Array.from({ length: count }, () =>
      createRedisStore({ url: REDIS_URL, keyPrefix: redisPrefix }),
    );
    opened.push(...stores);
    return stores;
  },
};

let unique = 0;
/** Keys and user ids differ per test, so tests on the shared Redis prefix never see each other's data. */
const fresh = (label: string) => `${label}-${++unique}`;

describe.each([memory, redis])("IdempotencyStore contract ($name)", (backend) => {
  const one = () => backend.open(1)[0]!;

  it("claims a new key, then reports the completed outcome to a duplicate", async () => {
    const store = one();
    const key = fresh("evt");
    expect(await store.claim(key, "h1", LEASE, T0)).toEqual({ kind: "claimed", attempt: 1 });
    await store.complete(key, "h1", applied, 600);
    expect(await store.claim(key, "h1", LEASE + 1000, T0 + 1000)).toEqual({
      kind: "completed",
      outcome: applied,
    });
  });

  it("reports a conflict when the key comes back with a different payload, in progress or completed", async () => {
    const store = one();
    const key = fresh("evt");
    await store.claim(key, "h1", LEASE, T0);
    expect(await store.claim(key, "h2", LEASE, T0)).toEqual({ kind: "conflict" });
    await store.complete(key, "h1", applied, 600);
    expect(await store.claim(key, "h2", LEASE, T0)).toEqual({ kind: "conflict" });
    // A lapsed lease does not make a different payload acceptable either.
    const other = fresh("evt");
    await store.claim(other, "h1", T0 + 10, T0);
    expect(await store.claim(other, "h2", T0 + 1000, T0 + 500)).toEqual({ kind: "conflict" });
  });

  it("remembers a dead-lettered event for its exact payload only, the last one per key", async () => {
    const store = one();
    const key = fresh("dead");
    expect(await store.recallDeadLetter(key, "h1")).toBeUndefined();
    await store.rememberDeadLetter(key, "h1", "MSG-1", 600);
    expect(await store.recallDeadLetter(key, "h1")).toBe("MSG-1");
    expect(await store.recallDeadLetter(key, "h2")).toBeUndefined();
    await store.rememberDeadLetter(key, "h2", "MSG-2", 600);
    expect(await store.recallDeadLetter(key, "h1")).toBeUndefined();
    expect(await store.recallDeadLetter(key, "h2")).toBe("MSG-2");
  });

  it("lets exactly one of 20 parallel claims over 4 connections win; the rest see its lease", async () => {
    const stores = backend.open(4);
    const key = fresh("evt");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => stores[i % 4]!.claim(key, "h1", LEASE, T0)),
    );
    expect(results.filter((r) => r.kind === "claimed")).toEqual([{ kind: "claimed", attempt: 1 }]);
    expect(results.filter((r) => r.kind === "in_progress")).toHaveLength(19);
    for (const r of results) if (r.kind === "in_progress") expect(r.leaseExpiresAt).toBe(LEASE);
  });

  it("hands a lapsed lease to the next claimer with the attempt counted up", async () => {
    const store = one();
    const key = fresh("evt");
    expect(await store.claim(key, "h1", T0 + 1000, T0)).toEqual({ kind: "claimed", attempt: 1 });
    expect(await store.claim(key, "h1", T0 + 5000, T0 + 999)).toEqual({
      kind: "in_progress",
      leaseExpiresAt: T0 + 1000,
    });
    // leaseExpiresAt <= now counts as lapsed.
    expect(await store.claim(key, "h1", T0 + 5000, T0 + 1000)).toEqual({ kind: "claimed", attempt: 2 });
    expect(await store.claim(key, "h1", T0 + 9000, T0 + 4000)).toEqual({
      kind: "in_progress",
      leaseExpiresAt: T0 + 5000,
    });
    expect(await store.claim(key, "h1", T0 + 9000, T0 + 6000)).toEqual({ kind: "claimed", attempt: 3 });
  });

  it("completes only for the holder's payload, once, and never creates a record", async () => {
    const store = one();
    const key = fresh("evt");
    await store.claim(key, "h1", LEASE, T0);
    await store.complete(key, "h2", applied, 600);
    expect(await store.claim(key, "h1", LEASE, T0)).toEqual({ kind: "in_progress", leaseExpiresAt: LEASE });

    await store.complete(key, "h1", applied, 600);
    const later: StoredOutcome = { status: "noop", at: T0 + 99 };
    await store.complete(key, "h1", later, 600);
    expect(await store.claim(key, "h1", LEASE, T0)).toEqual({ kind: "completed", outcome: applied });

    const missing = fresh("evt");
    await store.complete(missing, "h1", applied, 600);
    expect(await store.claim(missing, "h1", LEASE, T0)).toEqual({ kind: "claimed", attempt: 1 });
  });

  it("releases only our in-progress record, so a redelivery can run again", async () => {
    const store = one();
    const key = fresh("evt");
    await store.claim(key, "h1", LEASE, T0);
    await store.release(key, "h2");
    expect(await store.claim(key, "h1", LEASE, T0)).toEqual({ kind: "in_progress", leaseExpiresAt: LEASE });
    await store.release(key, "h1");
    expect(await store.claim(key, "h1", LEASE, T0)).toEqual({ kind: "claimed", attempt: 1 });

    await store.complete(key, "h1", applied, 600);
    await store.release(key, "h1");
    expect(await store.claim(key, "h1", LEASE, T0)).toEqual({ kind: "completed", outcome: applied });
  });

  it("keeps per-field versions: newer wins, older is rejected, ties go to the larger event id", async () => {
    const store = one();
    const user = fresh("user");
    const v = (ms: number, id: string, valueHash: string) => ({ version: fieldVersion(ms, id), valueHash });

    expect(await store.writeFields(user, { displayName: v(T0 + 10, "e1", "dn1") }, 600)).toEqual([]);
    expect(await store.writeFields(user, { displayName: v(T0 + 5, "e0", "dn0") }, 600)).toEqual([
      "displayName",
    ]);
    expect(await store.writeFields(user, { displayName: v(T0 + 10, "e2", "dn2") }, 600)).toEqual([]);
    expect(await store.writeFields(user, { displayName: v(T0 + 10, "e1", "dn1") }, 600)).toEqual([
      "displayName",
    ]);
    // The same version again is the same event again: not reported as stale; its value hash is taken (the
    // value recorded as unknown before the EIAM call, then known once EIAM answered).
    expect(await store.writeFields(user, { displayName: v(T0 + 10, "e2", "unknown") }, 600)).toEqual([]);
    expect((await store.readFields(user, ["displayName"])).displayName).toEqual(v(T0 + 10, "e2", "unknown"));
    expect(await store.writeFields(user, { displayName: v(T0 + 10, "e2", "dn2") }, 600)).toEqual([]);
    // Ties compare bytes, not the server's locale: "a" (0x61) is after "B" (0x42).
    expect(await store.writeFields(user, { locale: v(T0, "a", "l1") }, 600)).toEqual([]);
    expect(await store.writeFields(user, { locale: v(T0, "B", "l2") }, 600)).toEqual(["locale"]);
    // Zero padding keeps the order right across a change in the number of digits.
    expect(await store.writeFields(user, { email: v(999, "z", "m1") }, 600)).toEqual([]);
    expect(await store.writeFields(user, { email: v(1000, "a", "m2") }, 600)).toEqual([]);

    expect(await store.readFields(user, ["displayName", "email", "customFields.nick_name"])).toEqual({
      displayName: v(T0 + 10, "e2", "dn2"),
      email: v(1000, "a", "m2"),
      "customFields.nick_name": undefined,
    });
  });

  it("stores the newer fields of a mixed update and returns the rejected ones", async () => {
    const store = one();
    const user = fresh("user");
    const at = (ms: number) => fieldVersion(ms, "evt");
    await store.writeFields(
      user,
      { displayName: { version: at(T0 + 50), valueHash: "a" }, email: { version: at(T0), valueHash: "b" } },
      600,
    );
    const rejected = await store.writeFields(
      user,
      {
        displayName: { version: at(T0 + 20), valueHash: "c" },
        email: { version: at(T0 + 20), valueHash: "d" },
        "customFields.nick_name": { version: at(T0 + 20), valueHash: "e" },
      },
      600,
    );
    expect(rejected).toEqual(["displayName"]);
    expect(await store.readFields(user, ["displayName", "email", "customFields.nick_name"])).toEqual({
      displayName: { version: at(T0 + 50), valueHash: "a" },
      email: { version: at(T0 + 20), valueHash: "d" },
      "customFields.nick_name": { version: at(T0 + 20), valueHash: "e" },
    });
  });

  it("gives a user lease to one owner at a time, re-entrant, until it lapses or is released", async () => {
    const [a, b] = backend.open(2) as [IdempotencyStore, IdempotencyStore];
    const user = fresh("user");
    expect(await a.acquireUserLease(user, "owner-a", T0 + 1000, T0)).toBe(true);
    expect(await b.acquireUserLease(user, "owner-b", T0 + 5000, T0 + 10)).toBe(false);
    expect(await a.acquireUserLease(user, "owner-a", T0 + 2000, T0 + 20)).toBe(true); // ours: extended
    expect(await b.acquireUserLease(user, "owner-b", T0 + 5000, T0 + 1500)).toBe(false);
    expect(await b.acquireUserLease(user, "owner-b", T0 + 5000, T0 + 2000)).toBe(true); // lapsed

    await a.releaseUserLease(user, "owner-a"); // not the holder: no effect
    expect(await a.acquireUserLease(user, "owner-a", T0 + 9000, T0 + 2100)).toBe(false);
    await b.releaseUserLease(user, "owner-b");
    expect(await a.acquireUserLease(user, "owner-a", T0 + 9000, T0 + 2100)).toBe(true);
  });

  it("gives a contended user lease to exactly one of many parallel callers", async () => {
    const stores = backend.open(4);
    const user = fresh("user");
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => stores[i % 4]!.acquireUserLease(user, `owner-${i}`, LEASE, T0)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("rejects bad arguments with an error that names the argument and the rule", async () => {
    const store = one();
    await expect(store.claim("k", "h", T0, T0)).rejects.toThrow(
      /leaseUntilMs must be an integer later than nowMs/,
    );
    await expect(store.claim("", "h", LEASE, T0)).rejects.toThrow(/key must be a non-empty string/);
    await expect(store.complete("k", "h", applied, 0)).rejects.toThrow(
      /ttlSeconds must be a positive integer/,
    );
    await expect(
      store.complete("k", "h", { status: "done" as StoredOutcome["status"], at: T0 }, 60),
    ).rejects.toThrow(/outcome.status must be one of/);
    await expect(store.writeFields("u", { email: { version: "", valueHash: "x" } }, 60)).rejects.toThrow(
      /updates.email.version must be a non-empty string/,
    );
  });
});

describe("Redis store specifics", () => {
  const keys = storeKeys(redisPrefix);
  const one = () => redis.open(1)[0]!;

  it("sets TTLs: in-progress for the record TTL (at least the lease), completed for its ttlSeconds", async () => {
    const store = createRedisStore({ url: REDIS_URL, keyPrefix: redisPrefix, recordTtlSeconds: 300 });
    opened.push(store);
    const key = fresh("evt");
    await store.claim(key, "h1", T0 + 60_000, T0);
    expect(await admin.pttl(keys.record(key))).toBeGreaterThan(290_000);
    expect(await admin.pttl(keys.record(key))).toBeLessThanOrEqual(300_000);

    const longLease = fresh("evt");
    await store.claim(longLease, "h1", T0 + 900_000, T0);
    expect(await admin.pttl(keys.record(longLease))).toBeGreaterThan(890_000);

    await store.complete(key, "h1", applied, 120);
    const completedTtl = await admin.pttl(keys.record(key));
    expect(completedTtl).toBeGreaterThan(110_000);
    expect(completedTtl).toBeLessThanOrEqual(120_000);
  });

  it("sets TTLs on a user's field versions and lease", async () => {
    const store = one();
    const user = fresh("user");
    await store.writeFields(user, { email: { version: fieldVersion(T0, "e"), valueHash: "x" } }, 3600);
    const fieldsTtl = await admin.pttl(keys.userFields(user));
    expect(fieldsTtl).toBeGreaterThan(3_590_000);
    expect(fieldsTtl).toBeLessThanOrEqual(3_600_000);

    await store.acquireUserLease(user, "me", T0 + 45_000, T0);
    const leaseTtl = await admin.pttl(keys.userLease(user));
    expect(leaseTtl).toBeGreaterThan(40_000);
    expect(leaseTtl).toBeLessThanOrEqual(45_000);
    // The user's two keys share one Cluster hash slot.
    expect(keys.userFields(user)).toContain(`{${user}}`);
    expect(keys.userLease(user)).toContain(`{${user}}`);
  });

  it("fails closed, promptly, when nothing listens on the port", async () => {
    const store = createRedisStore({
      url: "redis://127.0.0.1:1",
      keyPrefix: redisPrefix,
      commandTimeoutMs: 400,
    });
    opened.push(store);
    const calls: [string, () => Promise<unknown>][] = [
      ["claim", () => store.claim("k", "h", LEASE, T0)],
      ["complete", () => store.complete("k", "h", applied, 60)],
      ["release", () => store.release("k", "h")],
      ["readFields", () => store.readFields("u", ["email"])],
      ["writeFields", () => store.writeFields("u", { email: { version: "v", valueHash: "h" } }, 60)],
      ["acquireUserLease", () => store.acquireUserLease("u", "me", LEASE, T0)],
      ["releaseUserLease", () => store.releaseUserLease("u", "me")],
    ];
    for (const [operation, call] of calls) {
      const started = performance.now();
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(IdempotencyStoreUnavailableError);
      expect(error).toMatchObject({ operation });
      expect(performance.now() - started).toBeLessThan(1400);
    }
  });

  describe("against a server that accepts connections but never answers", () => {
    let server: Server;
    let port = 0;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      server = createServer((socket) => {
        sockets.push(socket);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("no port");
      port = address.port;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it("does not connect until first used (lazy connect for cold starts)", async () => {
      const store = createRedisStore({
        url: `redis://127.0.0.1:${port}`,
        keyPrefix: redisPrefix,
        commandTimeoutMs: 300,
      });
      opened.push(store);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sockets).toHaveLength(0);
      await expect(store.readFields("u", ["email"])).rejects.toBeInstanceOf(IdempotencyStoreUnavailableError);
      expect(sockets).toHaveLength(1);
    });

    it("gives up after commandTimeoutMs with IdempotencyStoreUnavailableError", async () => {
      const store = createRedisStore({
        url: `redis://127.0.0.1:${port}`,
        keyPrefix: redisPrefix,
        commandTimeoutMs: 300,
      });
      opened.push(store);
      const started = performance.now();
      const error = await store.claim("k", "h", LEASE, T0).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(IdempotencyStoreUnavailableError);
      expect(String(error)).toMatch(/claim: Command timed out/);
      expect(performance.now() - started).toBeLessThan(1300);
    });
  });

  it("recognises its own claim when the reply was lost and the client resent it after reconnecting", async () => {
    // A proxy to the real Redis that lets the first "claimed" reply die with the connection, once.
    let dropped = false;
    const proxy = createServer((client) => {
      const upstream = connect(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
      client.pipe(upstream);
      upstream.on("data", (chunk: Buffer) => {
        if (!dropped && chunk.includes("claimed")) {
          dropped = true;
          client.destroy();
          upstream.destroy();
          return;
        }
        client.write(chunk);
      });
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const address = proxy.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const store = createRedisStore({ url: `redis://127.0.0.1:${address.port}`, keyPrefix: redisPrefix });
    try {
      const key = fresh("evt");
      expect(await store.claim(key, "h1", LEASE, T0)).toEqual({ kind: "claimed", attempt: 1 });
      expect(dropped).toBe(true);
      // Anyone else still finds the lease taken.
      expect(await one().claim(key, "h1", LEASE, T0)).toEqual({ kind: "in_progress", leaseExpiresAt: LEASE });
    } finally {
      await store.close();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });

  it("lets exactly one claim per key win across 3 processes racing for the same 50 keys", async () => {
    const prefix = `${redisPrefix}race:`;
    const results = await runRacingChildren(
      fileURLToPath(new URL("../helpers/claim-race-child.ts", import.meta.url)),
      Array.from({ length: 3 }, () => [REDIS_URL, prefix, "50"]),
    );
    const claimed = results.flatMap((r) => (r as { claimed: string[] }).claimed);
    expect(claimed).toHaveLength(50);
    expect(new Set(claimed).size).toBe(50);
  });
});
