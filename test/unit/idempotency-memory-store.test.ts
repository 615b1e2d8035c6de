import { describe, expect, it } from "vitest";
import { fieldVersion } from "../../shared/idempotency/keys.ts";
import { createMemoryStore } from "../../shared/idempotency/memory-store.ts";
import { IdempotencyStoreFullError } from "../../shared/idempotency/store.ts";

const T0 = 1_780_000_000_000;

/** The memory store's TTLs, checked on a clock the test moves (the Redis store's TTLs are checked with PTTL). */
describe("memory store expiry", () => {
  function storeWithClock() {
    let now = T0;
    const store = createMemoryStore({ clock: () => now, recordTtlSeconds: 100 });
    return { store, advance: (ms: number) => (now += ms) };
  }

  it("forgets a completed record after its ttlSeconds", async () => {
    const { store, advance } = storeWithClock();
    await store.claim("k", "h1", T0 + 10_000, T0);
    await store.complete("k", "h1", { status: "applied", at: T0 }, 60);
    advance(59_999);
    expect((await store.claim("k", "h2", T0 + 80_000, T0 + 59_999)).kind).toBe("conflict");
    advance(1);
    expect(await store.claim("k", "h2", T0 + 80_000, T0 + 60_000)).toEqual({ kind: "claimed", attempt: 1 });
  });

  it("keeps an in-progress record for the record TTL, or its lease when that is longer", async () => {
    const { store, advance } = storeWithClock();
    await store.claim("short", "h1", T0 + 1000, T0);
    await store.claim("long", "h1", T0 + 500_000, T0);
    advance(100_000);
    expect(await store.claim("short", "h2", T0 + 200_000, T0 + 100_000)).toEqual({
      kind: "claimed",
      attempt: 1,
    });
    expect((await store.claim("long", "h2", T0 + 200_000, T0 + 100_000)).kind).toBe("conflict");
  });

  it("forgets a user's field versions ttlSeconds after the last write that stored something", async () => {
    const { store, advance } = storeWithClock();
    const version = fieldVersion(T0, "e1");
    await store.writeFields("u1", { email: { version, valueHash: "x" } }, 60);
    advance(30_000);
    // Rejected as older: does not extend the record's life.
    await store.writeFields("u1", { email: { version: fieldVersion(T0 - 1, "e0"), valueHash: "y" } }, 60);
    advance(29_999);
    expect((await store.readFields("u1", ["email"])).email).toEqual({ version, valueHash: "x" });
    advance(1);
    expect((await store.readFields("u1", ["email"])).email).toBeUndefined();
  });

  it("returns copies, so changing a returned outcome does not change the stored one", async () => {
    const { store } = storeWithClock();
    await store.claim("k", "h1", T0 + 1000, T0);
    await store.complete("k", "h1", { status: "applied", at: T0 }, 60);
    const first = await store.claim("k", "h1", T0 + 1000, T0);
    if (first.kind === "completed") first.outcome.status = "noop";
    expect(await store.claim("k", "h1", T0 + 1000, T0)).toEqual({
      kind: "completed",
      outcome: { status: "applied", at: T0 },
    });
  });
});

describe("memory store bounds", () => {
  it("never forgets a live record: when full, a new claim is refused, and taken again once entries expire", async () => {
    let now = T0;
    const store = createMemoryStore({ maxEntries: 3, clock: () => now, recordTtlSeconds: 100 });
    for (const key of ["a", "b", "c"]) await store.claim(key, "h", T0 + 2_000, T0);
    await store.complete("a", "h", { status: "applied", at: T0 }, 60);
    // Setting a record again (completing it) does not make room, and nothing is dropped.
    await expect(store.claim("d", "h", T0 + 2_000, T0)).rejects.toBeInstanceOf(IdempotencyStoreFullError);
    expect(await store.claim("a", "h", T0 + 2_000, T0)).toMatchObject({ kind: "completed" });
    expect(await store.claim("b", "h", T0 + 2_000, T0)).toMatchObject({ kind: "in_progress" });
    // An existing key can still be claimed again after its lease lapsed: it takes no new room.
    expect(await store.claim("c", "h", T0 + 5_000, T0 + 3_000)).toEqual({ kind: "claimed", attempt: 2 });
    // "a" expires after its 60 s: room for one more.
    now = T0 + 60_001;
    expect(await store.claim("d", "h", now + 1_000, now)).toEqual({ kind: "claimed", attempt: 1 });
    await expect(store.claim("e", "h", now + 1_000, now)).rejects.toBeInstanceOf(IdempotencyStoreFullError);
  });

  it("refuses a claim when the users' field versions are full, but always records claimed work", async () => {
    const store = createMemoryStore({ maxEntries: 2 });
    const v = { version: fieldVersion(T0, "e"), valueHash: "x" };
    await store.claim("k1", "h", T0 + 1_000, T0);
    await store.writeFields("u1", { email: v }, 60);
    await store.writeFields("u2", { email: v }, 60);
    await store.writeFields("u3", { email: v }, 60);
    expect((await store.readFields("u1", ["email"])).email).toEqual(v);
    await expect(store.claim("k2", "h", T0 + 1_000, T0)).rejects.toBeInstanceOf(IdempotencyStoreFullError);
  });

  it("says when it cannot remember another dead letter", async () => {
    const store = createMemoryStore({ maxEntries: 1 });
    await store.rememberDeadLetter("k1", "h", "dl-1", 60);
    await store.rememberDeadLetter("k1", "h2", "dl-2", 60);
    await expect(store.rememberDeadLetter("k2", "h", "dl-3", 60)).rejects.toBeInstanceOf(
      IdempotencyStoreFullError,
    );
    expect(await store.recallDeadLetter("k1", "h2")).toBe("dl-2");
  });
});
