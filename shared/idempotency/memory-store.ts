/**
 * In-process idempotency store for a single instance (the local default). Same semantics as the Redis store;
 * each method runs synchronously to completion, which makes it atomic within the process.
 */
import {
  assertStoredOutcome,
  type ClaimResult,
  compareVersions,
  DEFAULT_RECORD_TTL_SECONDS,
  type FieldVersion,
  type IdempotencyStore,
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
   * At most this many records (and as many users' field versions, and dead letters) are kept; past it the
   * oldest go first. A warm FC instance must not outgrow its memory. Default 50,000.
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

export function createMemoryStore(options: MemoryStoreOptions = {}): IdempotencyStore {
  const clock = options.clock ?? Date.now;
  const recordTtlSeconds = options.recordTtlSeconds ?? DEFAULT_RECORD_TTL_SECONDS;
  requireTtlSeconds(recordTtlSeconds);
  const records = new Map<string, MemoryRecord>();
  const users = new Map<string, UserFields>();
  const leases = new Map<string, UserLease>();
  const deadLetters = new Map<string, Expiring & { payloadHash: string; deadLetterId: string }>();
  /** Keyed by key and payload hash (a newline cannot be in a payload hash). */
  const operations = new Map<string, Expiring & { results: Map<string, string> }>();
  let writes = 0;

  function live<T extends Expiring>(map: Map<string, T>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry && entry.expiresAt <= clock()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  const maxEntries = options.maxEntries ?? 50_000;

  function wrote(): void {
    writes += 1;
    for (const map of [records, users, deadLetters, operations] as Map<string, Expiring>[]) {
      // Maps iterate in insertion order: the first key is the oldest written.
      while (map.size > maxEntries) map.delete(map.keys().next().value as string);
    }
    if (writes % SWEEP_EVERY_WRITES !== 0) return;
    const now = clock();
    for (const map of [records, users, leases, deadLetters, operations] as Map<string, Expiring>[]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key);
    }
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
