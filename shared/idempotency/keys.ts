/**
 * The one module that owns identities and order: idempotency keys, payload and value hashes, field versions and
 * how versions compare, and the store's key layout. The plan and every store use these and nothing else, so
 * that "newer" means the same thing everywhere.
 */
import { createHash } from "node:crypto";
import { requireNonEmpty } from "./store.ts";

/**
 * Key layout. The part in `{…}` is the Redis Cluster hash tag, so the two keys of one user share a slot and a
 * future script may touch both. Keys of different users or events are independent.
 */
export function storeKeys(keyPrefix: string) {
  return {
    record: (key: string) => `${keyPrefix}idem:{${key}}`,
    userFields: (userId: string) => `${keyPrefix}user:{${userId}}:fields`,
    userLease: (userId: string) => `${keyPrefix}user:{${userId}}:lease`,
    deadLetter: (key: string) => `${keyPrefix}dead:{${key}}`,
    operations: (key: string, payloadHash: string) => `${keyPrefix}ops:{${key}}:${payloadHash}`,
  };
}

const VERSION_TIME_DIGITS = 15;
const MAX_VERSION_TIME = 10 ** VERSION_TIME_DIGITS - 1;

/**
 * Zero-padded ms, then "#", then the event id: a later time wins, ties are broken by the event id. Compare two
 * versions with `compareVersions` only (never `<` on strings: JavaScript compares UTF-16 units, Redis bytes).
 */
export function fieldVersion(occurredAtMs: number, eventId: string): string {
  if (!Number.isSafeInteger(occurredAtMs) || occurredAtMs < 0 || occurredAtMs > MAX_VERSION_TIME) {
    throw new RangeError(
      `occurredAtMs must be an integer number of epoch milliseconds from 0 to ${MAX_VERSION_TIME}, got ${occurredAtMs}`,
    );
  }
  requireNonEmpty("eventId", eventId);
  return `${String(occurredAtMs).padStart(VERSION_TIME_DIGITS, "0")}#${eventId}`;
}

/**
 * Orders versions by their UTF-8 bytes, which is how the Redis script compares them (Lua's `<` would use the
 * server's locale collation). Negative when a is older than b.
 */
export function compareVersions(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * From the producer and its event id (not the delivery id, which changes on redelivery). Both parts are
 * percent-encoded so that `:` inside them cannot make two different pairs collide; no source gives an empty
 * first part, which an encoded source can never be.
 */
export function idempotencyKey(source: string | undefined, eventId: string): string {
  if (source !== undefined) requireNonEmpty("source", source);
  requireNonEmpty("eventId", eventId);
  return `${source === undefined ? "" : encodeURIComponent(source)}:${encodeURIComponent(eventId)}`;
}

/** sha256 (hex) of a canonical JSON (sorted keys) — deterministic for equal values. */
export function payloadHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

/**
 * JSON with object keys sorted, following JSON.stringify's rules otherwise (toJSON is honoured, undefined
 * properties are left out). Values JSON cannot represent faithfully are refused rather than silently changed.
 */
export function canonicalJson(value: unknown): string {
  const text = encode(value, "$", new Set());
  if (text === undefined) throw new TypeError("payload ($) must be a JSON value, got undefined");
  return text;
}

function encode(value: unknown, path: string, seen: Set<object>): string | undefined {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`payload ${path} must be a finite number, got ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value === "undefined" || typeof value === "function" || typeof value === "symbol")
    return undefined;
  if (typeof value === "bigint") throw new TypeError(`payload ${path} must not be a bigint`);
  if (value instanceof Map || value instanceof Set) {
    throw new TypeError(`payload ${path} must be a plain object or array, not a Map or Set`);
  }
  const toJSON: unknown = Reflect.get(value, "toJSON");
  if (typeof toJSON === "function") return encode(toJSON.call(value), path, seen);
  if (seen.has(value)) throw new TypeError(`payload ${path} is circular`);
  seen.add(value);
  let out: string;
  if (Array.isArray(value)) {
    out = `[${value.map((item, i) => encode(item, `${path}[${i}]`, seen) ?? "null").join(",")}]`;
  } else {
    const parts: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const encoded = encode(Reflect.get(value, key), `${path}.${key}`, seen);
      if (encoded !== undefined) parts.push(`${JSON.stringify(key)}:${encoded}`);
    }
    out = `{${parts.join(",")}}`;
  }
  seen.delete(value);
  return out;
}

/**
 * A short hash of one field's value, to tell an equal value from a changed one (no-op suppression). The values
 * are built by the plan in a fixed shape (strings, arrays, objects with a fixed key order), so JSON.stringify is
 * deterministic here and much cheaper than canonicalJson on the hot path.
 */
export function valueHash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("base64url").slice(0, 22);
}
