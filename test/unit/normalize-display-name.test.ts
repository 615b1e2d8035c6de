import { describe, expect, it } from "vitest";
import {
  type DisplayNameOverflow,
  normalizeDisplayName,
  truncateGraphemes,
} from "../../shared/normalize/display-name.ts";
import { codePointLength } from "../../shared/normalize/text.ts";

const E_ACUTE_DECOMPOSED = "e\u0301";
const E_ACUTE = "\u00e9";
const EMOJI = "\u{1F600}";

describe("normalizeDisplayName: accepted", () => {
  it.each<[string, DisplayNameOverflow, string]>([
    ["Zhang San", "reject", "Zhang San"],
    ["  Zhang \t\n San\u00a0\u3000Jr  ", "reject", "Zhang San Jr"],
    [`Ren${E_ACUTE_DECOMPOSED}e`, "reject", `Ren${E_ACUTE}e`],
    ["张三", "reject", "张三"],
    [EMOJI.repeat(128), "reject", EMOJI.repeat(128)],
    ["a".repeat(128), "reject", "a".repeat(128)],
    ["a".repeat(200), "truncate", "a".repeat(128)],
    [`${"a".repeat(127)} bcd`, "truncate", "a".repeat(127)],
    [`${"a".repeat(127)}${EMOJI}${EMOJI}`, "truncate", `${"a".repeat(127)}${EMOJI}`],
    // q + combining acute has no precomposed form; its accent would be code point 129, so the whole letter goes.
    [`${"a".repeat(127)}q\u0301xyz`, "truncate", "a".repeat(127)],
  ])("%j (%s) → %j", (input, overflow, expected) => {
    expect(normalizeDisplayName(input, overflow, "changes.displayName")).toEqual({
      ok: true,
      value: expected,
    });
  });
});

describe("normalizeDisplayName: rejected", () => {
  it.each<[string, DisplayNameOverflow, string, RegExp]>([
    ["", "reject", "empty", /must not be empty; UpdateUser cannot remove/],
    [" \t\u00a0 ", "reject", "empty", /must not be empty/],
    ["Zhang\u0000San", "reject", "invalid_chars", /control characters; found U\+0000/],
    ["Zhang\u007fSan", "truncate", "invalid_chars", /U\+007F/],
    ["Zhang\u0085San", "reject", "invalid_chars", /U\+0085/],
    ["Zhang\ud800San", "reject", "invalid_chars", /U\+D800/],
    [
      "a".repeat(129),
      "reject",
      "too_long",
      /at most 128 characters \(UpdateUser DisplayName rule\); got 129/,
    ],
    [EMOJI.repeat(129), "reject", "too_long", /got 129/],
  ])("%j (%s) → %s", (input, overflow, code, message) => {
    const result = normalizeDisplayName(input, overflow, "changes.displayName");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatchObject({ path: "changes.displayName", code });
    expect(result.problem.message).toMatch(message);
  });
});

it("refuses input over the 4096-unit cap even when truncation is on", () => {
  expect(normalizeDisplayName("a".repeat(5000), "truncate", "changes.displayName")).toMatchObject({
    ok: false,
    problem: { code: "too_long", message: expect.stringMatching(/4096-unit input cap/) },
  });
});

describe("truncateGraphemes", () => {
  it.each([
    ["abc", 2, "ab"],
    [`${EMOJI}${EMOJI}${EMOJI}`, 2, `${EMOJI}${EMOJI}`],
    [`a${E_ACUTE_DECOMPOSED}`, 2, "a"],
    ["ab  cd", 4, "ab"],
    // One cluster longer than the limit is cut by code points rather than dropped entirely.
    [`o${"\u0301".repeat(10)}`, 4, `o${"\u0301".repeat(3)}`],
  ])("%j to %i code points → %j", (input, max, expected) => {
    const result = truncateGraphemes(input, max);
    expect(result).toBe(expected);
    expect(codePointLength(result)).toBeLessThanOrEqual(max);
  });
});
