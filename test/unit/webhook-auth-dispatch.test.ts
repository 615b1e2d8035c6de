import { describe, expect, it } from "vitest";
import {
  anyPairEqual,
  MAX_SIGNATURE_TOKENS,
  splitSignatureTokens,
} from "../../shared/auth/signature-match.ts";
import { checkTimestampWindow, parseUnixSeconds } from "../../shared/auth/timestamp.ts";
import { type AuthFailureReason, describeAuthFailure, verifyWebhook } from "../../shared/auth/verify.ts";

describe("verifyWebhook with mode none", () => {
  it.each([
    { name: "no headers at all", headers: {} },
    { name: "a signature that would not verify", headers: { "webhook-signature": "v1,garbage" } },
  ])("accepts $name", ({ headers }) => {
    expect(verifyWebhook(Buffer.from("{}"), headers, { mode: "none" }, 0)).toEqual({
      ok: true,
      scheme: "none",
    });
  });
});

describe("describeAuthFailure", () => {
  const reasons: AuthFailureReason[] = [
    "missing_signature",
    "missing_timestamp",
    "missing_id",
    "malformed_signature",
    "malformed_timestamp",
    "timestamp_too_old",
    "timestamp_in_future",
    "signature_mismatch",
    "body_too_large",
  ];
  it.each(reasons)("%s has its own sentence", (reason) => {
    const sentence = describeAuthFailure(reason);
    expect(sentence.length).toBeGreaterThan(20);
    expect(reasons.filter((other) => describeAuthFailure(other) === sentence)).toEqual([reason]);
  });
});

describe("parseUnixSeconds", () => {
  it.each([
    { text: "1750000000", expected: 1_750_000_000 },
    { text: "1", expected: 1 },
    { text: "999999999999", expected: 999_999_999_999 },
    { text: "1000000000000", expected: undefined },
    { text: "0", expected: undefined },
    { text: "01750000000", expected: undefined },
    { text: "+1750000000", expected: undefined },
    { text: "1750000000.0", expected: undefined },
    { text: "1e9", expected: undefined },
    { text: "", expected: undefined },
  ])("$text -> $expected", ({ text, expected }) => {
    expect(parseUnixSeconds(text)).toBe(expected);
  });
});

describe("checkTimestampWindow", () => {
  const nowMs = 1_000_000_999; // now is second 1_000_000; the milliseconds are dropped
  it.each([
    { ts: 1_000_000, expected: undefined },
    { ts: 1_000_000 - 10, expected: undefined },
    { ts: 1_000_000 - 11, expected: "timestamp_too_old" },
    { ts: 1_000_000 + 10, expected: undefined },
    { ts: 1_000_000 + 11, expected: "timestamp_in_future" },
  ])("$ts with tolerance 10 -> $expected", ({ ts, expected }) => {
    expect(checkTimestampWindow(ts, nowMs, 10)).toBe(expected);
  });
});

describe("splitSignatureTokens", () => {
  it.each([
    { value: "v1,AAA v1a,BBB", expected: ["v1", "AAA", "v1a", "BBB"] },
    { value: " ,v1,AAA,, v1,BBB, ", expected: ["v1", "AAA", "v1", "BBB"] },
    { value: "\tabc\n", expected: ["abc"] },
    { value: " , ", expected: [] },
    {
      value: Array(MAX_SIGNATURE_TOKENS).fill("a").join(" "),
      expected: Array(MAX_SIGNATURE_TOKENS).fill("a"),
    },
    {
      value: Array(MAX_SIGNATURE_TOKENS + 1)
        .fill("a")
        .join(" "),
      expected: undefined,
    },
  ])("$value", ({ value, expected }) => {
    expect(splitSignatureTokens(value)).toEqual(expected);
  });
});

describe("anyPairEqual", () => {
  const a = Buffer.from("aaaa");
  const b = Buffer.from("bbbb");
  it.each([
    { name: "match in the last pair", candidates: [b, a], expected: [b, a], result: true },
    { name: "match against the second expected value", candidates: [a], expected: [b, a], result: true },
    { name: "no match", candidates: [a], expected: [b], result: false },
    {
      name: "prefix of a different length does not match",
      candidates: [Buffer.from("aa")],
      expected: [a],
      result: false,
    },
    {
      name: "longer candidate does not match",
      candidates: [Buffer.from("aaaaa")],
      expected: [a],
      result: false,
    },
    { name: "no candidates", candidates: [], expected: [a], result: false },
    { name: "no expected values", candidates: [a], expected: [], result: false },
  ])("$name", ({ candidates, expected, result }) => {
    expect(anyPairEqual(candidates, expected)).toBe(result);
  });
});
