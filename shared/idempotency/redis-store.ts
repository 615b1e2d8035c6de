/**
 * Idempotency store on Redis (ApsaraDB for Redis / Tair compatible): standard commands and single-key Lua
 * scripts only. Fails closed: any Redis failure rejects with IdempotencyStoreUnavailableError, promptly.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { storeKeys } from "./keys.ts";
import { WRITE_FIELDS_LUA } from "./lua/field-scripts.ts";
import { ACQUIRE_LEASE_LUA, RELEASE_LEASE_LUA } from "./lua/lease-scripts.ts";
import { CLAIM_LUA, COMPLETE_LUA, RELEASE_LUA } from "./lua/record-scripts.ts";
import { closeRedis, givenOrNewRedis } from "./redis-client.ts";
import { defineScript } from "./redis-script.ts";
import {
  assertStoredOutcome,
  type ClaimResult,
  DEFAULT_KEY_PREFIX,
  DEFAULT_RECORD_TTL_SECONDS,
  type FieldVersion,
  type IdempotencyStore,
  IdempotencyStoreUnavailableError,
  inProgressTtlMs,
  parseStoredOutcome,
  requireFieldUpdates,
  requireLease,
  requireNonEmpty,
  requireTtlSeconds,
  type StoreOptions,
} from "./store.ts";

export { IdempotencyStoreUnavailableError } from "./store.ts";

export interface RedisStoreOptions extends StoreOptions {
  /** e.g. `redis://user:pass@host:6379/0`. Ignored when `redis` is given. */
  url?: string;
  /** Use this client instead of opening one; the store will not close it. Its options decide how it fails. */
  redis?: Redis;
  /** Default 1000 ms. */
  connectTimeoutMs?: number;
  /** Upper bound for each Redis call, including waiting for the connection. Default 1000 ms. */
  commandTimeoutMs?: number;
}

export function createRedisStore(options: RedisStoreOptions): IdempotencyStore {
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  const recordTtlSeconds = options.recordTtlSeconds ?? DEFAULT_RECORD_TTL_SECONDS;
  requireTtlSeconds(recordTtlSeconds);
  const { redis, owned: ownsClient } = givenOrNewRedis(options);
  const keys = storeKeys(keyPrefix);
  const claimScript = defineScript(redis, "eiamIdempotencyClaim", CLAIM_LUA, 1);
  const completeScript = defineScript(redis, "eiamIdempotencyComplete", COMPLETE_LUA, 1);
  const releaseScript = defineScript(redis, "eiamIdempotencyRelease", RELEASE_LUA, 1);
  const writeFieldsScript = defineScript(redis, "eiamIdempotencyWriteFields", WRITE_FIELDS_LUA, 1);
  const acquireLeaseScript = defineScript(redis, "eiamIdempotencyAcquireLease", ACQUIRE_LEASE_LUA, 1);
  const releaseLeaseScript = defineScript(redis, "eiamIdempotencyReleaseLease", RELEASE_LEASE_LUA, 1);

  async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new IdempotencyStoreUnavailableError(operation, error);
    }
  }

  return {
    async claim(key, payloadHash, leaseUntilMs, nowMs) {
      requireNonEmpty("key", key);
      requireNonEmpty("payloadHash", payloadHash);
      requireLease(leaseUntilMs, nowMs);
      const ttlMs = inProgressTtlMs(recordTtlSeconds, leaseUntilMs, nowMs);
      return guarded("claim", async () =>
        parseClaimReply(
          await claimScript([keys.record(key)], [payloadHash, leaseUntilMs, nowMs, ttlMs, randomUUID()]),
        ),
      );
    },

    async complete(key, payloadHash, outcome, ttlSeconds) {
      requireNonEmpty("key", key);
      requireNonEmpty("payloadHash", payloadHash);
      assertStoredOutcome(outcome);
      requireTtlSeconds(ttlSeconds);
      await guarded("complete", () =>
        completeScript([keys.record(key)], [payloadHash, JSON.stringify(outcome), ttlSeconds]),
      );
    },

    async release(key, payloadHash) {
      requireNonEmpty("key", key);
      requireNonEmpty("payloadHash", payloadHash);
      await guarded("release", () => releaseScript([keys.record(key)], [payloadHash]));
    },

    async readFields(userId, fields) {
      requireNonEmpty("userId", userId);
      const result: Record<string, FieldVersion | undefined> = {};
      if (fields.length === 0) return result;
      const names = fields.flatMap((field) => [`v:${field}`, `h:${field}`]);
      const values = await guarded("readFields", () => redis.hmget(keys.userFields(userId), ...names));
      fields.forEach((field, i) => {
        const version = values[2 * i];
        const valueHash = values[2 * i + 1];
        result[field] = version != null && valueHash != null ? { version, valueHash } : undefined;
      });
      return result;
    },

    async writeFields(userId, updates, ttlSeconds) {
      requireNonEmpty("userId", userId);
      requireFieldUpdates(updates);
      requireTtlSeconds(ttlSeconds);
      const args = Object.entries(updates).flatMap(([field, fv]) => [field, fv.version, fv.valueHash]);
      if (args.length === 0) return [];
      const reply = await guarded("writeFields", () =>
        writeFieldsScript([keys.userFields(userId)], [ttlSeconds, ...args]),
      );
      return guarded("writeFields", async () => stringArray(reply));
    },

    async acquireUserLease(userId, owner, leaseUntilMs, nowMs) {
      requireNonEmpty("userId", userId);
      requireNonEmpty("owner", owner);
      requireLease(leaseUntilMs, nowMs);
      const reply = await guarded("acquireUserLease", () =>
        acquireLeaseScript([keys.userLease(userId)], [owner, leaseUntilMs, nowMs, leaseUntilMs - nowMs]),
      );
      return reply === 1;
    },

    async releaseUserLease(userId, owner) {
      requireNonEmpty("userId", userId);
      requireNonEmpty("owner", owner);
      await guarded("releaseUserLease", () => releaseLeaseScript([keys.userLease(userId)], [owner]));
    },

    async rememberDeadLetter(key, payloadHash, deadLetterId, ttlSeconds) {
      requireNonEmpty("key", key);
      requireTtlSeconds(ttlSeconds);
      const value = JSON.stringify({ payloadHash, deadLetterId });
      await guarded("rememberDeadLetter", () => redis.set(keys.deadLetter(key), value, "EX", ttlSeconds));
    },

    async recallDeadLetter(key, payloadHash) {
      requireNonEmpty("key", key);
      const raw = await guarded("recallDeadLetter", () => redis.get(keys.deadLetter(key)));
      if (raw === null) return undefined;
      const entry = JSON.parse(raw) as { payloadHash?: unknown; deadLetterId?: unknown };
      return entry.payloadHash === payloadHash && typeof entry.deadLetterId === "string"
        ? entry.deadLetterId
        : undefined;
    },

    async recordOperation(key, payloadHash, operationId, result, ttlSeconds) {
      requireNonEmpty("key", key);
      requireNonEmpty("payloadHash", payloadHash);
      requireNonEmpty("operationId", operationId);
      requireTtlSeconds(ttlSeconds);
      const hashKey = keys.operations(key, payloadHash);
      const replies = await guarded("recordOperation", () =>
        redis.multi().hset(hashKey, operationId, result).expire(hashKey, ttlSeconds).exec(),
      );
      const failed = replies?.find(([error]) => error !== null);
      if (replies === null || failed !== undefined) {
        throw new IdempotencyStoreUnavailableError("recordOperation", failed?.[0] ?? "transaction aborted");
      }
    },

    async readOperations(key, payloadHash) {
      requireNonEmpty("key", key);
      requireNonEmpty("payloadHash", payloadHash);
      return guarded("readOperations", () => redis.hgetall(keys.operations(key, payloadHash)));
    },

    async close() {
      if (ownsClient) await closeRedis(redis);
    },
  };
}

function parseClaimReply(reply: unknown): ClaimResult {
  if (!Array.isArray(reply)) throw new TypeError("claim script returned no array");
  const [kind, value]: unknown[] = reply;
  if (kind === "conflict") return { kind: "conflict" };
  if (kind === "completed" && typeof value === "string") {
    return { kind: "completed", outcome: parseStoredOutcome(value) };
  }
  if (kind === "in_progress" && typeof value === "string") {
    return { kind: "in_progress", leaseExpiresAt: Number(value) };
  }
  if (kind === "claimed" && typeof value === "number") return { kind: "claimed", attempt: value };
  throw new TypeError(`claim script returned an unexpected reply ${JSON.stringify(reply)}`);
}

function stringArray(reply: unknown): string[] {
  if (!Array.isArray(reply) || !reply.every((item) => typeof item === "string")) {
    throw new TypeError("write-fields script returned something other than a list of field names");
  }
  return reply;
}
