import { describe, expect, it } from "vitest";
import { normalizeCustomFieldValue } from "../../shared/normalize/custom-fields.ts";
import { normalizeDisplayName } from "../../shared/normalize/display-name.ts";
import { normalizeEmail } from "../../shared/normalize/email.ts";
import { findInvisibleChar } from "../../shared/normalize/text.ts";

describe("invisible and text-direction characters", () => {
  it.each([
    ["Zhang\u202E\u200BnaS", "U+202E"],
    ["Zhang\u200BSan", "U+200B"],
    ["\u2066Zhang\u2069", "U+2066"],
    ["Zhang\uFEFF", "U+FEFF"],
    ["Zhang\u00ADSan", "U+00AD"],
    ["\u3164", "U+3164"],
    ["Zhang\u200D", "U+200D"],
    ["\u200CZhang", "U+200C"],
    ["a\u200D\u200Db", "U+200D"],
    ["a \u200Db", "U+200D"],
    ["a\u{E0041}b", "U+E0041"],
  ])("refuses %j (%s)", (text, label) => {
    expect(findInvisibleChar(text)).toBe(label);
    const result = normalizeDisplayName(text, "reject", "changes.displayName");
    expect(result).toMatchObject({
      ok: false,
      problem: { path: "changes.displayName", code: "invalid_chars" },
    });
    if (!result.ok) expect(result.problem.message).toContain(label);
    expect(normalizeCustomFieldValue(text, "changes.customFields.nick_name")).toMatchObject({ ok: false });
  });

  it.each([
    ["Zhang San"],
    ["张三"],
    ["👨\u200D👩\u200D👧"], // a family emoji: joiners between visible characters
    ["می\u200Cخواهم"], // Persian with a zero-width non-joiner inside a word
    ["क्\u200Dष"], // Devanagari with a joiner
    ["🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}"], // the flag of England: tags after U+1F3F4
    ["❤\uFE0F"],
  ])("keeps %j", (text) => {
    expect(findInvisibleChar(text)).toBeUndefined();
    expect(normalizeDisplayName(text).ok).toBe(true);
  });

  it("refuses them in emails before IDNA could drop them silently", () => {
    expect(normalizeEmail("zhang@exa\u200Bmple.com", "changes.email")).toMatchObject({
      ok: false,
      problem: { code: "invalid_chars" },
    });
    expect(normalizeEmail("zhang@\u202Eexample.com").ok).toBe(false);
  });
});
