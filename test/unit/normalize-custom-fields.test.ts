import { describe, expect, it } from "vitest";
import {
  type CustomFieldInput,
  checkCustomFieldName,
  normalizeCustomFields,
  normalizeCustomFieldValue,
} from "../../shared/normalize/custom-fields.ts";

describe("normalizeCustomFieldValue", () => {
  it.each<[CustomFieldInput, string | null]>([
    ["zs", "zs"],
    ["  kept as given  ", "  kept as given  "],
    [42, "42"],
    [-1.5, "-1.5"],
    [1e21, "1e+21"],
    [true, "true"],
    [false, "false"],
    [null, null],
    ["x".repeat(1024), "x".repeat(1024)],
    ["😀".repeat(1024), "😀".repeat(1024)],
  ])("%j → %j", (input, expected) => {
    expect(normalizeCustomFieldValue(input, "changes.customFields.f")).toEqual({ ok: true, value: expected });
  });

  it.each<[CustomFieldInput, string, RegExp]>([
    ["", "empty", /use null to remove/],
    ["   ", "empty", /must not be empty/],
    ["a\tb", "invalid_chars", /U\+0009/],
    ["line\nbreak", "invalid_chars", /control characters/],
    ["x".repeat(1025), "too_long", /at most 1024 characters; got 1025/],
    ["😀".repeat(1025), "too_long", /at most 1024 characters/],
    [Number.NaN, "invalid_type", /finite number/],
  ])("%j → %s", (input, code, message) => {
    const result = normalizeCustomFieldValue(input, "changes.customFields.f");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problem).toMatchObject({ path: "changes.customFields.f", code });
    expect(result.problem.message).toMatch(message);
  });
});

it("refuses a huge hostile value by its length before looking at its characters", () => {
  expect(normalizeCustomFieldValue(`${"x".repeat(1_000_000)}\u0000`, "changes.customFields.f")).toMatchObject(
    {
      ok: false,
      problem: { code: "too_long", message: expect.stringMatching(/got over 1024/) },
    },
  );
});

describe("checkCustomFieldName", () => {
  it.each<[string, readonly string[] | undefined, string | undefined]>([
    ["nick_name", undefined, undefined],
    ["a", undefined, undefined],
    [`a${"b".repeat(63)}`, undefined, undefined],
    [`a${"b".repeat(64)}`, undefined, "invalid_format"],
    ["1nick", undefined, "invalid_format"],
    ["_nick", undefined, "invalid_format"],
    ["nick-name", undefined, "invalid_format"],
    ["", undefined, "invalid_format"],
    ["nick_name", ["nick_name", "cost_center"], undefined],
    ["title", ["nick_name", "cost_center"], "not_allowed"],
    ["title", [], "not_allowed"],
  ])("%j with allowed %j → %s", (name, allowed, code) => {
    const result = checkCustomFieldName(name, allowed, `changes.customFields.${name}`);
    if (code === undefined) expect(result).toEqual({ ok: true, value: name });
    else expect(result).toMatchObject({ ok: false, problem: { code, path: `changes.customFields.${name}` } });
  });

  it("names the allowed set when a field is not allowed", () => {
    const result = checkCustomFieldName("title", ["nick_name", "cost_center"], "changes.customFields.title");
    expect(result.ok ? "" : result.problem.message).toContain("nick_name, cost_center");
  });
});

describe("normalizeCustomFields", () => {
  it("keeps null (remove) distinct from values and stringifies the rest", () => {
    expect(
      normalizeCustomFields({ nick_name: "zs", cost_center: null, level: 3, active: false }, {}),
    ).toEqual({
      ok: true,
      value: { nick_name: "zs", cost_center: null, level: "3", active: "false" },
    });
  });

  it("collects every problem with the field's path", () => {
    const result = normalizeCustomFields(
      { nick_name: "", title: "x", "9lives": "y", ok: "fine" },
      { allowedCustomFields: ["nick_name", "ok", "9lives"] },
      "changes.customFields",
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.path, p.code])).toEqual([
      ["changes.customFields.nick_name", "empty"],
      ["changes.customFields.title", "not_allowed"],
      ["changes.customFields.9lives", "invalid_format"],
    ]);
  });

  it.each([
    [{}, "no_changes"],
    [Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, "v"])), "too_many"],
  ])("rejects an object with %# entries count → %s", (fields, code) => {
    expect(normalizeCustomFields(fields, {}, "changes.customFields")).toMatchObject({
      ok: false,
      problems: [{ path: "changes.customFields", code }],
    });
  });

  it("cuts a hostile long field name in the problem path", () => {
    const name = `a${"b".repeat(10_000)}`;
    const result = normalizeCustomFields({ [name]: "v" }, {}, "changes.customFields");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]?.path).toBe(`changes.customFields.${name.slice(0, 64)}…`);
    expect(result.problems[0]?.code).toBe("invalid_format");
  });
});
