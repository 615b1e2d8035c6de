import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  compareVersions,
  fieldVersion,
  idempotencyKey,
  payloadHash,
} from "../../shared/idempotency/keys.ts";

describe("fieldVersion", () => {
  it("zero-pads the time so that string order is time order, then the event id breaks ties", () => {
    expect(fieldVersion(1_780_000_000_000, "evt-1")).toBe("001780000000000#evt-1");
    const ordered = [
      fieldVersion(999, "z"),
      fieldVersion(1000, "a"),
      fieldVersion(1000, "b"),
      fieldVersion(1_780_000_000_000, "a"),
    ];
    for (let i = 1; i < ordered.length; i++)
      expect(compareVersions(ordered[i - 1]!, ordered[i]!)).toBeLessThan(0);
  });

  it("refuses times that are not non-negative integers and an empty event id", () => {
    expect(() => fieldVersion(-1, "e")).toThrow(
      /occurredAtMs must be an integer number of epoch milliseconds/,
    );
    expect(() => fieldVersion(1.5, "e")).toThrow(/occurredAtMs/);
    expect(() => fieldVersion(Number.NaN, "e")).toThrow(/occurredAtMs/);
    expect(() => fieldVersion(10 ** 15, "e")).toThrow(/occurredAtMs/);
    expect(() => fieldVersion(1, "")).toThrow(/eventId must be a non-empty string/);
  });
});

describe("compareVersions", () => {
  it("compares UTF-8 bytes, as the Redis script does, not UTF-16 units or the locale", () => {
    expect(compareVersions("a", "B")).toBeGreaterThan(0); // a locale collation would put "a" first
    expect(compareVersions("abc", "abc")).toBe(0);
    expect(compareVersions("ab", "abc")).toBeLessThan(0);
    // U+FF5E is above the surrogate pair of U+1F600 in UTF-16, but below it in UTF-8.
    expect(compareVersions("\uFF5E", "\u{1F600}")).toBeLessThan(0);
  });
});

describe("idempotencyKey", () => {
  it("is built from the source and the event id, and cannot be confused by separators inside them", () => {
    expect(idempotencyKey("workday", "evt-1")).toBe("workday:evt-1");
    expect(idempotencyKey("a:b", "c")).not.toBe(idempotencyKey("a", "b:c"));
    expect(idempotencyKey(undefined, "evt-1")).toBe(":evt-1");
    expect(idempotencyKey("%3A", "x")).not.toBe(idempotencyKey(":", "x"));
  });

  it("refuses an empty event id or an empty source", () => {
    expect(() => idempotencyKey("workday", "")).toThrow(/eventId must be a non-empty string/);
    expect(() => idempotencyKey("", "evt-1")).toThrow(/source must be a non-empty string/);
  });
});

describe("payloadHash", () => {
  it("is the same for equal values whatever the key order, and differs for different values", () => {
    const a = payloadHash({ user: { id: "u1", email: "x@y" }, changes: [1, 2], at: new Date(0) });
    const b = payloadHash({ at: new Date(0), changes: [1, 2], user: { email: "x@y", id: "u1" } });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(payloadHash({ changes: [2, 1] })).not.toBe(payloadHash({ changes: [1, 2] }));
    expect(payloadHash({ a: "1" })).not.toBe(payloadHash({ a: 1 }));
  });

  it("follows JSON for undefined and toJSON, and sorts keys", () => {
    expect(canonicalJson({ b: 1, a: undefined, c: [undefined, "x"], d: new Date(0) })).toBe(
      '{"b":1,"c":[null,"x"],"d":"1970-01-01T00:00:00.000Z"}',
    );
  });

  it("refuses values JSON would silently change, naming where they are", () => {
    expect(() => payloadHash({ n: Number.NaN })).toThrow(/payload \$\.n must be a finite number/);
    expect(() => payloadHash({ big: 1n })).toThrow(/payload \$\.big must not be a bigint/);
    expect(() => payloadHash({ m: new Map() })).toThrow(/\$\.m must be a plain object or array/);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => payloadHash(loop)).toThrow(/payload \$\.self is circular/);
    expect(() => payloadHash(undefined)).toThrow(/must be a JSON value/);
  });
});
