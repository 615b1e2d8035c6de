import { describe, expect, it } from "vitest";
import type { PhoneNumber } from "../../shared/change.ts";
import { type CountryCode, isSupportedPhoneRegion, normalizePhone } from "../../shared/normalize/phone.ts";

describe("normalizePhone: accepted notations", () => {
  it.each<[string, CountryCode | undefined, PhoneNumber]>([
    ["+8615612345678", undefined, { region: "86", number: "15612345678" }],
    ["+86 156 1234 5678", undefined, { region: "86", number: "15612345678" }],
    ["  +86-156-1234-5678  ", undefined, { region: "86", number: "15612345678" }],
    ["+86.156.1234.5678", undefined, { region: "86", number: "15612345678" }],
    ["+86 (156) 1234 5678", undefined, { region: "86", number: "15612345678" }],
    ["+86\u00a0156\u20131234\u20135678", undefined, { region: "86", number: "15612345678" }],
    ["0086 156 1234 5678", undefined, { region: "86", number: "15612345678" }],
    ["00 86 156 1234 5678", "US", { region: "86", number: "15612345678" }],
    ["156 1234 5678", "CN", { region: "86", number: "15612345678" }],
    ["(202) 555-0123", "US", { region: "1", number: "2025550123" }],
    ["011 86 156 1234 5678", "US", { region: "86", number: "15612345678" }],
    ["+44 20 7946 0958", "CN", { region: "44", number: "2079460958" }],
    ["+39 06 1234 5678", undefined, { region: "39", number: "0612345678" }],
    ["+49 30 123456", undefined, { region: "49", number: "30123456" }],
    // Norfolk Island: a valid 6-digit national number, the shortest EIAM accepts.
    ["+672 3 23456", undefined, { region: "672", number: "323456" }],
  ])("%j (default region %s) → %j", (input, region, expected) => {
    expect(normalizePhone(input, region, "changes.phone")).toEqual({ ok: true, value: expected });
  });
});

describe("normalizePhone: rejected input", () => {
  it.each<[string, CountryCode | undefined, string, RegExp]>([
    ["", undefined, "empty", /cannot remove/],
    ["   ", undefined, "empty", /must not be empty/],
    ["+86 156 1234 5678 ext. 12", undefined, "phone_extension", /extension/],
    ["+86 156 1234 5678 x12", undefined, "phone_extension", /extension/],
    ["+86 156 1234 5678 #12", undefined, "phone_extension", /extension/],
    ["+86 156 1234 5678;ext=12", undefined, "phone_extension", /extension/],
    ["+1 800 FLOWERS", undefined, "invalid_phone", /only digits/],
    ["156 1234 5678", undefined, "missing_country_code", /DEFAULT_PHONE_REGION/],
    ["(156) 1234-5678", undefined, "missing_country_code", /country code/],
    ["+86 123", undefined, "invalid_phone", /digits/],
    ["+999 1234567", undefined, "invalid_phone", /unknown country calling code/],
    // Possible length for +86 but not in China's numbering plan: isValid() is required.
    ["+86 1561234567", undefined, "invalid_phone", /numbering plan/],
    ["+1 555 555 5555", undefined, "invalid_phone", /numbering plan/],
    ["+86 156 1234 5678 9999 9999", undefined, "invalid_phone", /digits/],
    // Niue: valid in its numbering plan, but 4 digits is under EIAM's 6-digit minimum.
    ["+683 7290", undefined, "invalid_phone", /6 to 15 digits \(UpdateUser PhoneNumber rule\); got 4/],
    ["8+6 156", undefined, "invalid_phone", /leading \+/],
    ["()", "CN", "invalid_phone", /no digits/],
    ["１５６１２３４５６７８", "CN", "invalid_phone", /only digits/],
    [`+86 ${"1".repeat(100)}`, undefined, "too_long", /at most 64 characters/],
  ])("%j (default region %s) → %s", (input, region, code, message) => {
    const result = normalizePhone(input, region, "changes.phone");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem.code).toBe(code);
    expect(result.problem.path).toBe("changes.phone");
    expect(result.problem.message).toMatch(message);
    expect(result.problem.message).toContain("changes.phone");
  });

  it("refuses a huge hostile string by its length, before any parsing", () => {
    const result = normalizePhone("+8".repeat(1_000_000));
    expect(result).toMatchObject({ ok: false, problem: { code: "too_long", path: "phone" } });
  });
});

describe("isSupportedPhoneRegion", () => {
  it.each([
    ["CN", true],
    ["US", true],
    ["cn", false],
    ["XX", false],
    ["", false],
  ])("%j → %s", (region, expected) => {
    expect(isSupportedPhoneRegion(region)).toBe(expected);
  });
});
