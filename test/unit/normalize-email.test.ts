import { describe, expect, it } from "vitest";
import { normalizeEmail } from "../../shared/normalize/email.ts";

describe("normalizeEmail: accepted", () => {
  it.each([
    ["Zhang.San@Example.com", "Zhang.San@example.com"],
    ["  zhang_san-1@EXAMPLE.COM.CN \n", "zhang_san-1@example.com.cn"],
    ["a@b.co", "a@b.co"],
    ["ops@bücher.de", "ops@xn--bcher-kva.de"],
    ["li@例え.jp", "li@xn--r8jz45g.jp"],
    ["x@ⓔxample.com", "x@example.com"],
    ["x@sub-domain.example.org", "x@sub-domain.example.org"],
    [`${"a".repeat(64)}@example.com`, `${"a".repeat(64)}@example.com`],
  ])("%j → %j", (input, expected) => {
    expect(normalizeEmail(input, "changes.email")).toEqual({ ok: true, value: expected });
  });
});

describe("normalizeEmail: rejected", () => {
  it.each([
    ["", "empty", /cannot remove/],
    ["   ", "empty", /must not be empty/],
    ["zhang.example.com", "invalid_email", /local-part@domain/],
    ["@example.com", "invalid_email", /empty local part/],
    ["zhang@", "invalid_email", /empty domain/],
    [
      "zhang+tag@example.com",
      "invalid_chars",
      /letters, digits, periods \(\.\), underscores \(_\) and hyphens \(-\)/,
    ],
    ["zh@ng@example.com", "invalid_chars", /local part may contain only/],
    ['"quoted"@example.com', "invalid_chars", /UpdateUser Email rule/],
    ["zhāng@example.com", "invalid_chars", /local part/],
    [".zhang@example.com", "invalid_email", /start or end with a period/],
    ["zhang.@example.com", "invalid_email", /start or end with a period/],
    ["zhang..san@example.com", "invalid_email", /two periods/],
    [`${"a".repeat(65)}@example.com`, "too_long", /local part must be at most 64/],
    [
      `${"a".repeat(10)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.${"e".repeat(54)}.com`,
      "too_long",
      /at most 254/,
    ],
    [
      `a@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.${"e".repeat(63)}.com`,
      "invalid_email",
      /domain/,
    ],
    ["a@localhost", "invalid_email", /at least two labels/],
    ["a@example..com", "invalid_email", /domain/],
    ["a@example.com.", "invalid_email", /domain/],
    ["a@-example.com", "invalid_email", /domain/],
    ["a@exa_mple.com", "invalid_email", /domain/],
    ["a@exa%41mple.com", "invalid_email", /domain/],
    ["a@ex ample.com", "invalid_email", /domain/],
    ["a@[127.0.0.1]", "invalid_email", /domain/],
    ["a@127.0.0.1", "invalid_email", /domain/],
    ["a@xn--zz.com", "invalid_email", /IDNA/],
    [`a@${"b".repeat(64)}.com`, "invalid_email", /domain/],
    [`${"a".repeat(2000)}@example.com`, "too_long", /at most 254/],
  ])("%j → %s", (input, code, message) => {
    const result = normalizeEmail(input, "changes.email");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatchObject({ path: "changes.email", code });
    expect(result.problem.message).toMatch(message);
    expect(result.problem.message).toContain("changes.email");
  });
});
