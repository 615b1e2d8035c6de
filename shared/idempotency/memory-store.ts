/**
 * In-process idempotency store for a single instance (the local default). Same semantics as the Redis store;
 * each method runs synchronously to completion, which makes it atomic within the process.
 *
 * It never forgets a live record: forgetting one would let an old redelivery be applied again over a newer
 * value. When it holds `maxEntries` live records (or users), it refuses new claims with
 * `IdempotencyStoreFullError`, so the pipeline hands the event back (deferred) until entries expire.
 */
import { compareVersions } from "./keys.ts";
import {
  assertStoredOutcome,
  type ClaimResult,
  DEFAULT_RECORD_TTL_SECONDS,
  type FieldVersion,
  type IdempotencyStore,
  IdempotencyStoreFullError,
  inProgressTtlMs,
  requireFieldUpdates,
  requireLease,
  requireNonEmpty,
  requireTtlSeconds,
  type StoredOutcome,
  type StoreOptions,
} from "./store.ts";

export interface MemoryStoreOptions extends StoreOptions {
  /**
   * At most this many live records (and as many users' field versions, and remembered dead letters): a warm FC
   * instance must not outgrow its memory. When full, new claims are refused (never is a live entry dropped).
   * Default 50,000.
   */
  maxEntries?: number;
  /** Wall clock used for TTL expiry (not for leases, which use the caller's nowMs). Default `Date.now`. */
  clock?: () => number;
}

interface Expiring {
  expiresAt: number;
}
type MemoryRecord = Expiring & { payloadHash: string; attempt: number } & (
    | { status: "IN_PROGRESS"; leaseExpiresAt: number }
    | { status: "COMPLETED"; outcome: StoredOutcome }
  );
interface UserFields extends Expiring {
  fields: Map<string, FieldVersion>;
}
interface UserLease extends Expiring {
  owner: string;
  leaseUntilMs: number;
}

/** Expired entries are dropped when touched, and all of them every this many writes. */
const SWEEP_EVERY_WRITES = 1000;
/** When full, a full sweep for expired entries runs at most this often. */
const FULL_SWEEP_INTERVAL_MS = 1000;

export function createMemoryStore(options: MemoryStoreOptions = {}): IdempotencyStore {
  const clock = options.clock ?? Date.now;
  const recordTtlSeconds = options.recordTtlSeconds ?? DEFAULT_RECORD_TTL_SECONDS;
  requireTtlSeconds(recordTtlSeconds);
  const maxEntries = options.maxEntries ?? 50_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }
  const records = new Map<string, MemoryRecord>();
  const users = new Map<string, UserFields>();
  const leases = new Map<string, UserLease>();
  const deadLetters = new Map<string, Expiring & { payloadHash: string; deadLetterId: string }>();
  /** Keyed by key and payload hash (a newline cannot be in a payload hash). */
  const operations = new Map<string, Expiring & { results: Map<string, string> }>();
  let writes = 0;
  let lastFullSweepAt = Number.NEGATIVE_INFINITY;

  function live<T extends Expiring>(map: Map<string, T>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= clock()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  function sweep(): void {
    const now = clock();
    for (const map of [records, users, leases, deadLetters, operations] as Map<string, Expiring>[]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    }
  }

  function wrote(): void {
    writes += 1;
    if (writes % SWEEP_EVERY_WRITES === 0) sweep();
  }

  /**
   * True when a new entry in `map` would pass the bound even after dropping expired entries. Writes for work
   * already claimed (field versions, completion) are always taken, so those maps pass the bound at most by the
   * claims in flight.
   */
  function full(...maps: Map<string, Expiring>[]): boolean {
    if (maps.every((m) => m.size < maxEntries)) return false;
    const now = clock();
    if (now - lastFullSweepAt >= FULL_SWEEP_INTERVAL_MS) {
      lastFullSweepAt = now;
      sweep();
    }
    return maps.some((m) => m.size >= maxEntries);
  }

  return {
    async claim(key, payloadHash, leaseUntilMs, nowMs): Promise<ClaimResult> {
      requireNonEmpty("key", key);
      requireNonEmpty("payloadHash", payloadHash);
      requireLease(leaseUntilMs, nowMs);
      const record = live(records, key);
      if (record) {
        if (record.payloadHash !== payloadHash) return { kind: "conflict" };
        if (record.status === "COMPLETED") return { kind: "completed", outcome: { ...record.outcome } };
        if (record.leaseExpiresAt > nowMs)
          return { kind: "in_progress", leaseExpiresAt: record.leaseExpiresAt };
      }
      if (!record && full(records, users)) throw new IdempotencyStoreFullError("claim", maxEntries);
      const attempt = record ? record.attempt + 1 : 1;
      records.set(key, {
        status: "IN_PROGRESS",
        payloadHash,
        leaseExpiresAt: leaseUntilMs,
        attempt,
        expiresAt: clock() + inProgressTtlMs(recordTtlSeconds, leaseUntilMs, nowMs),
      });
      wrote();
      return { kind: "claimed", attempt };
    },

    async complete(key, payloadHash, outcome, ttlSeconds) {
      requireNonEmpty("key", key);
      requireNonEmpty("payloadHash", payloadHash);
      assertStoredOutcome(outcome);
      requireTtlSeconds(ttlSeconds);
      const record = live(records, key);
      if (record?.status !== "IN_PROGRESS" || record.payloadHash !== payloadHash) return;
      records.set(key, {
        status: "COMPLETED",
        payloadHash,
        attempt: record.attempt,
        outcome: { ...outcome },
        expiresAt: clock() + ttlSeconds * 1000,
      });
      wrote();
    },

    async release(key, payloadHash) {
      requireNonEmpty("key", key);
      requireNonEmpty("payloadHash", payloadHash);
      const record = live(records, key);
      if (record?.status === "IN_PROGRESS" && record.payloadHash === payloadHash) records.delete(key);
    },

    async readFields(userId, fields) {
      requireNonEmpty("userId", userId);
      const stored = live(users, userId)?.fields;
      const result: Record<string, FieldVersion | undefined> = {};
      for (const field of fields) {
        const fv = stored?.get(field);
        result[field] = fv ? { ...fv } : undefined;
      }
      return result;
    },

    async writeFields(userId, updates, ttlSeconds) {
      requireNonEmpty("userId", userId);
      requireFieldUpdates(updates);
      requireTtlSeconds(ttlSeconds);
      const entry = live(users, userId) ?? { fields: new Map<string, FieldVersion>(), expiresAt: 0 };
      const rejected: string[] = [];
      let stored = 0;
      for (const [field, next] of Object.entries(updates)) {
        const current = entry.fields.get(field);
        const order = current ? compareVersions(next.version, current.version) : 1;
        if (order > 0) {
          entry.fields.set(field, { version: next.version, valueHash: next.valueHash });
          stored += 1;
        } else if (order < 0) {
          rejected.push(field);
        } else if (current?.valueHash !== next.valueHash) {
          entry.fields.set(field, { version: next.version, valueHash: next.valueHash });
          stored += 1;
        }
      }
      if (stored > 0) {
        entry.expiresAt = clock() + ttlSeconds * 1000;
        users.set(userId, entry);
        wrote();
      }
      return rejected;
    },

    async acquireUserLease(userId, owner, leaseUntilMs, nowMs) {
      requireNonEmpty("userId", userId);
      requireNonEmpty("owner", owner);
      requireLease(leaseUntilMs, nowMs);
      const current = live(leases, userId);
      if (current && current.owner !== owner && current.leaseUntilMs > nowMs) return false;
      leases.set(userId, { owner, leaseUntilMs, expiresAt: clock() + (leaseUntilMs - nowMs) });
      wrote();
      return true;
    },

    async releaseUserLease(userId, owner) {
      requireNonEmpty("userId", userId);
      requireNonEmpty("owner", owner);
      if (live(leases, userId)?.owner === owner) leases.delete(userId);
    },

    async rememberDeadLetter(key, payloadHash, deadLetterId, ttlSeconds) {
      requireNonEmpty("key", key);
      requireTtlSeconds(ttlSeconds);
      if (!live(deadLetters, key) && full(deadLetters)) {
        throw new IdempotencyStoreFullError("rememberDeadLetter", maxEntries);
      }
      deadLetters.set(key, { payloadHash, deadLetterId, expiresAt: clock() + ttlSeconds * 1000 });
      wrote();
    },

    async recallDeadLetter(key, payloadHash) {
      const entry = live(deadLetters, key);
      return entry?.payloadHash === payloadHash ? entry.deadLetterId : undefined;
    },

    async recordOperation(key, payloadHash, operationId, result, ttlSeconds) {
      requireNonEmpty("key", key);
      requireNonEmpty("payloadHash", payloadHash);
      requireNonEmpty("operationId", operationId);
      requireTtlSeconds(ttlSeconds);
      const id = `${payloadHash}\n${key}`;
      const entry = live(operations, id) ?? { results: new Map<string, string>(), expiresAt: 0 };
      entry.results.set(operationId, result);
      entry.expiresAt = clock() + ttlSeconds * 1000;
      operations.delete(id);
      operations.set(id, entry);
      wrote();
    },

    async readOperations(key, payloadHash) {
      requireNonEmpty("key", key);
      requireNonEmpty("payloadHash", payloadHash);
      return Object.fromEntries(live(operations, `${payloadHash}\n${key}`)?.results ?? []);
    },

    async close() {
      operations.clear();
      records.clear();
      deadLetters.clear();
      users.clear();
      leases.clear();
    },
  };
}
