import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { loadMappingConfig, parsePayload } from "../../shared/formats/index.ts";
import { parseJsonSafely } from "../../shared/formats/safe-json.ts";
import { delivery, exampleMapping, httpDelivery } from "../fixtures/formats/support.ts";

const SECRET = "zoe.secret@example.com";
const bamboo = loadMappingConfig(exampleMapping("bamboohr-employee"));

function problemsOf(result: ReturnType<typeof parsePayload>) {
  if (result.ok) throw new Error("expected problems");
  return result.problems;
}

afterAll(() => {
  // Nothing in this file may have polluted Object.prototype.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty("polluted");
});

describe("hostile bodies", () => {
  it.each([
    [
      "top-level __proto__",
      `{"__proto__":{"polluted":"yes"},"id":"e","occurredAt":"t","changes":{}}`,
      "__proto__",
    ],
    [
      "nested __proto__",
      `{"id":"e","occurredAt":"t","changes":{"customFields":{"__proto__":{"polluted":"yes"}}}}`,
      "changes.customFields.__proto__",
    ],
    [
      "constructor",
      `{"id":"e","occurredAt":"t","changes":{},"user":{"constructor":{"prototype":{"polluted":"yes"}}}}`,
      "user.constructor",
    ],
    [
      "prototype in an array element",
      `[{"id":"e","occurredAt":"t","changes":{"prototype":1}}]`,
      "[0].changes.prototype",
    ],
    ["__proto__ written with a unicode escape", `{"\\u005f_proto__":{"polluted":"yes"}}`, "__proto__"],
  ])("%s → forbidden_key", (_label, body, path) => {
    for (const format of ["canonical", "scim", "mapped"] as const) {
      const problems = problemsOf(parsePayload({ delivery: delivery(body), format, mapping: bamboo }));
      expect(problems).toEqual([
        { path, code: "forbidden_key", message: expect.stringContaining("is not allowed") },
      ]);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("deep nesting is cut at the depth limit without a crash", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const problems = problemsOf(parsePayload({ delivery: delivery(deep), format: "canonical" }));
    expect(problems[0]).toMatchObject({
      code: "too_deep",
      message: expect.stringContaining("deeper than 32 levels"),
    });
    const custom = problemsOf(
      parsePayload({
        delivery: delivery('{"a":{"b":{"c":1}}}'),
        format: "canonical",
        limits: { maxDepth: 2 },
      }),
    );
    expect(custom[0]).toMatchObject({ code: "too_deep", path: "a.b" });
  });

  it("invalid UTF-8 is a problem", () => {
    const body = Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(problemsOf(parsePayload({ delivery: delivery(body), format: "canonical" }))).toEqual([
      { path: "", code: "invalid_utf8", message: "body is not valid UTF-8" },
    ]);
  });

  it("a huge body is refused by size before parsing", () => {
    const huge = `{"id":"${"x".repeat(2 * 1024 * 1024)}"}`;
    const problems = problemsOf(parsePayload({ delivery: delivery(huge) }));
    expect(problems[0]).toMatchObject({
      code: "too_large",
      message: `body is ${huge.length} bytes; the limit is 1048576`,
    });
    const small = problemsOf(
      parsePayload({ delivery: delivery('{"id":"abc"}'), limits: { maxBodyBytes: 5 } }),
    );
    expect(small[0]?.code).toBe("too_large");
  });

  it("a huge string under the limit is fine and not echoed in problems", () => {
    const body = `{"id":"e","occurredAt":"t","changes":{"displayName":"${"ж".repeat(200_000)}"}}`;
    const result = parsePayload({ delivery: delivery(body), format: "canonical" });
    const changes = result.ok ? (result.events[0]?.changes as Record<string, string>) : {};
    expect(changes.displayName?.length).toBe(200_000);
  });

  it.each([
    [`{"email":"${SECRET}",}`, "line 1, column 35 (character 34)", "expected a property name"],
    [`{"email":"${SECRET}"\n  "x":1}`, "line 2, column 3 (character 36)", "expected ',' or '}'"],
    [`{"email":"${SECRET}`, "line 1, column 10 (character 9)", "unterminated string"],
    [`{"email":'${SECRET}'}`, "line 1, column 10 (character 9)", "expected a value"],
    [`{"n":01}`, "(character 6)", "expected ',' or '}'"],
    [`{"a":1} {"b":2}`, "(character 8)", "unexpected content after the JSON value"],
    [`{"a":"tab\there"}`, "(character 9)", "unescaped control character"],
    [`{"a":"\\x41"}`, "(character 6)", "invalid escape"],
    [`{"a":tru}`, "(character 5)", "expected a value"],
  ])("invalid JSON %#: position given, content never quoted", (body, where, detail) => {
    const [problem] = problemsOf(parsePayload({ delivery: delivery(body), format: "canonical" }));
    expect(problem?.code).toBe("invalid_json");
    expect(problem?.message).toContain(where);
    expect(problem?.message).toContain(detail);
    expect(problem?.message).not.toContain(SECRET);
    expect(problem?.message).not.toContain("example");
  });

  it("an empty body is a problem", () => {
    expect(problemsOf(parsePayload({ delivery: delivery("  \n") }))[0]?.code).toBe("empty_body");
  });

  it("hostile SCIM operation paths do not reach prototypes", () => {
    const body = JSON.stringify({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "add", path: "__proto__.polluted", value: "yes" },
        { op: "add", path: "urn:x:__proto__", value: "yes" },
        { op: "add", value: { "constructor.prototype.polluted": "yes" } },
      ],
    });
    const result = parsePayload({ delivery: httpDelivery(body, "PATCH", "/Users/user_abc"), format: "scim" });
    expect(problemsOf(result).map((p) => [p.path, p.code])).toEqual([
      ["Operations[0].path", "unsupported_path"],
      ["Operations[1].path", "unsupported_path"],
      ["constructor.prototype.polluted", "unsupported_path"],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("safe JSON reader", () => {
  const withoutForbiddenKeys = fc
    .jsonValue({ maxDepth: 6 })
    .filter((value) => !/"(__proto__|constructor|prototype)":/.test(JSON.stringify(value)));

  it("agrees with JSON.parse on valid JSON", () => {
    fc.assert(
      fc.property(withoutForbiddenKeys, (value) => {
        const text = JSON.stringify(value);
        const parsed = parseJsonSafely(text);
        expect(parsed).toEqual({ ok: true, value: JSON.parse(text) });
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on arbitrary text, and rejects exactly what JSON.parse rejects (forbidden keys aside)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const parsed = parseJsonSafely(text);
        let native = true;
        try {
          JSON.parse(text);
        } catch {
          native = false;
        }
        if (parsed.ok) expect(native).toBe(true);
        else if (parsed.problem.code === "invalid_json") expect(native).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
