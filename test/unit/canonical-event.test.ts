import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { canonicalEventJsonSchema } from "../../shared/events/json-schema.ts";
import { MAX_PROBLEMS, parseCanonicalEvent } from "../../shared/events/parse.ts";
import { parseRfc3339 } from "../../shared/events/rfc3339.ts";

const example = {
  id: "hr-7781-2",
  source: "workday",
  occurredAt: "2026-11-28T08:00:00Z",
  user: { userId: "user_d6sbsuumeta4h66ec3il7yxxxx" },
  changes: {
    username: "zhang.san",
    displayName: "Zhang San",
    email: "Zhang.San@Example.com",
    emailVerified: true,
    phone: "+86 156 1234 5678",
    phoneVerified: true,
    customFields: { nick_name: "zs", cost_center: null },
  },
};

type Example = typeof example;
/** The example with some top-level fields replaced (or removed with `undefined`). */
function variant(patch: { [K in keyof Example]?: unknown }): Record<string, unknown> {
  const result: Record<string, unknown> = { ...example, ...patch };
  for (const key of Object.keys(result)) if (result[key] === undefined) delete result[key];
  return result;
}

describe("parseCanonicalEvent: accepted", () => {
  it("accepts the canonical example unchanged", () => {
    expect(parseCanonicalEvent(example)).toEqual({ ok: true, event: example });
  });

  it.each<[string, Record<string, unknown>]>([
    ["without source", variant({ source: undefined })],
    ["externalId string", variant({ user: { externalId: "E-1" } })],
    [
      "externalId object",
      variant({ user: { externalId: { id: "E-1", sourceType: "ldap", sourceId: "x" } } }),
    ],
    ["email key", variant({ user: { email: "a@b.co" } })],
    ["phone key", variant({ user: { phone: "+8615612345678" } })],
    ["username key", variant({ user: { username: "zs" } })],
    ["only customFields", variant({ changes: { customFields: { level: 3, active: true } } })],
    ["only displayName", variant({ changes: { displayName: "Z" } })],
    ["offset and fraction", variant({ occurredAt: "2026-11-28T16:00:00.123456+08:00" })],
    ["source with every allowed char", variant({ source: "hr.workday_1:eu/prod-2" })],
  ])("%s", (_name, input) => {
    expect(parseCanonicalEvent(input)).toEqual({ ok: true, event: input });
  });
});

describe("parseCanonicalEvent: rejected", () => {
  it.each<[string, unknown, [path: string, code: string][]]>([
    ["not an object", [example], [["", "invalid_type"]]],
    ["null", null, [["", "invalid_type"]]],
    ["missing id", variant({ id: undefined }), [["id", "required"]]],
    ["empty id", variant({ id: "" }), [["id", "empty"]]],
    ["blank id", variant({ id: "   " }), [["id", "empty"]]],
    ["long id", variant({ id: "x".repeat(129) }), [["id", "too_long"]]],
    ["control char in id", variant({ id: "a\u0007b" }), [["id", "invalid_chars"]]],
    ["numeric id", variant({ id: 7781 }), [["id", "invalid_type"]]],
    ["bad source", variant({ source: "work day" }), [["source", "invalid_chars"]]],
    ["long source", variant({ source: "s".repeat(65) }), [["source", "too_long"]]],
    ["missing occurredAt", variant({ occurredAt: undefined }), [["occurredAt", "required"]]],
    ["no offset", variant({ occurredAt: "2026-11-28T08:00:00" }), [["occurredAt", "invalid_date"]]],
    ["date only", variant({ occurredAt: "2026-11-28" }), [["occurredAt", "invalid_date"]]],
    ["Feb 30", variant({ occurredAt: "2026-02-30T08:00:00Z" }), [["occurredAt", "invalid_date"]]],
    ["epoch number", variant({ occurredAt: 1795852800000 }), [["occurredAt", "invalid_type"]]],
    ["unknown top-level key", variant({ extra: 1 } as never), [["extra", "unknown_field"]]],
    ["missing user", variant({ user: undefined }), [["user", "required"]]],
    ["no user key", variant({ user: {} }), [["user", "required"]]],
    ["two user keys", variant({ user: { userId: "u1", email: "a@b.co" } }), [["user", "ambiguous_user_key"]]],
    ["bad userId", variant({ user: { userId: "user 1" } }), [["user.userId", "invalid_chars"]]],
    ["long userId", variant({ user: { userId: "u".repeat(65) } }), [["user.userId", "too_long"]]],
    ["unknown user key", variant({ user: { userId: "u1", id: "x" } }), [["user.id", "unknown_field"]]],
    ["externalId number", variant({ user: { externalId: 5 } }), [["user.externalId", "invalid_type"]]],
    [
      "externalId too long",
      variant({ user: { externalId: "e".repeat(129) } }),
      [["user.externalId", "too_long"]],
    ],
    [
      "externalId object without id",
      variant({ user: { externalId: { sourceType: "ldap" } } }),
      [["user.externalId.id", "required"]],
    ],
    [
      "externalId object with unknown key",
      variant({ user: { externalId: { id: "E", source: "x" } } }),
      [["user.externalId.source", "unknown_field"]],
    ],
    ["missing changes", variant({ changes: undefined }), [["changes", "required"]]],
    ["empty changes", variant({ changes: {} }), [["changes", "no_changes"]]],
    [
      "only unknown changes",
      variant({ changes: { title: "x" } }),
      [
        ["changes.title", "unknown_field"],
        ["changes", "no_changes"],
      ],
    ],
    [
      "null displayName",
      variant({ changes: { displayName: null } }),
      [["changes.displayName", "invalid_type"]],
    ],
    [
      "null customFields",
      variant({ changes: { customFields: null } }),
      [["changes.customFields", "invalid_type"]],
    ],
    ["numeric phone", variant({ changes: { phone: 8615612345678 } }), [["changes.phone", "invalid_type"]]],
    [
      "emailVerified as string",
      variant({ changes: { email: "a@b.co", emailVerified: "true" } }),
      [["changes.emailVerified", "invalid_type"]],
    ],
    [
      "emailVerified without email",
      variant({ changes: { displayName: "Z", emailVerified: true } }),
      [["changes.emailVerified", "not_allowed"]],
    ],
    [
      "phoneVerified without phone",
      variant({ changes: { phoneVerified: false } }),
      [["changes.phoneVerified", "not_allowed"]],
    ],
    [
      "empty customFields",
      variant({ changes: { customFields: {} } }),
      [["changes.customFields", "no_changes"]],
    ],
    [
      "too many customFields",
      variant({
        changes: { customFields: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}`, i])) },
      }),
      [["changes.customFields", "too_many"]],
    ],
    [
      "bad custom field name",
      variant({ changes: { customFields: { "nick-name": "x" } } }),
      [["changes.customFields.nick-name", "invalid_format"]],
    ],
    [
      "object custom field value",
      variant({ changes: { customFields: { nick_name: { v: 1 } } } }),
      [["changes.customFields.nick_name", "invalid_type"]],
    ],
    [
      "customFields as array",
      variant({ changes: { customFields: ["x"] } }),
      [["changes.customFields", "invalid_type"]],
    ],
  ])("%s", (_name, input, expected) => {
    const result = parseCanonicalEvent(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.path, p.code])).toEqual(expected);
    for (const problem of result.problems) expect(problem.message.length).toBeGreaterThan(10);
  });

  it("collects problems from every part of the event at once", () => {
    const result = parseCanonicalEvent({
      id: "",
      occurredAt: "yesterday",
      user: { email: "a@b.co", phone: "+86 1" },
      changes: { emailVerified: 1 },
      version: 2,
    });
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.code])).toEqual([
      ["id", "empty"],
      ["occurredAt", "invalid_date"],
      ["user", "ambiguous_user_key"],
      ["changes.emailVerified", "invalid_type"],
      ["changes.emailVerified", "not_allowed"],
      ["version", "unknown_field"],
    ]);
  });

  it("writes messages that name the field and the rule", () => {
    const result = parseCanonicalEvent(variant({ changes: { displayName: null }, user: { userId: "a b" } }));
    expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([
      "user.userId may contain only letters, digits, _ and -",
      "changes.displayName must be a string; null (remove) is not supported: UpdateUser cannot remove built-in fields",
    ]);
  });

  it("says why null is refused only for built-in fields", () => {
    const result = parseCanonicalEvent(variant({ changes: { email: null, customFields: null } }));
    expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([
      "changes.email must be a string; null (remove) is not supported: UpdateUser cannot remove built-in fields",
      "changes.customFields must be an object; got null",
    ]);
  });

  it(`lists at most ${MAX_PROBLEMS} problems, then says there were more`, () => {
    const customFields = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`f${i}`, [i]]));
    const result = parseCanonicalEvent(variant({ changes: { customFields } }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(MAX_PROBLEMS + 1);
    expect(result.problems.at(-1)).toMatchObject({ path: "", code: "too_many_problems" });
  });

  it("cuts a hostile long key in problem paths", () => {
    const key = "k".repeat(100_000);
    const result = parseCanonicalEvent(variant({ changes: { [key]: 1, displayName: "Z" } }));
    expect(result.ok ? [] : result.problems.map((p) => [p.path, p.code])).toEqual([
      [`changes.${"k".repeat(64)}…`, "unknown_field"],
    ]);
  });
});

describe("parseRfc3339", () => {
  it.each([
    ["2026-11-28T08:00:00Z", Date.UTC(2026, 10, 28, 8)],
    ["2026-11-28t08:00:00z", Date.UTC(2026, 10, 28, 8)],
    ["2026-11-28T16:00:00+08:00", Date.UTC(2026, 10, 28, 8)],
    ["2026-11-28T03:00:00-05:00", Date.UTC(2026, 10, 28, 8)],
    ["2026-11-28T08:00:00.5Z", Date.UTC(2026, 10, 28, 8, 0, 0, 500)],
    ["2026-11-28T08:00:00.123456789Z", Date.UTC(2026, 10, 28, 8, 0, 0, 123)],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
    ["2000-02-29T00:00:00Z", Date.UTC(2000, 1, 29)],
  ])("%s → %i", (text, ms) => {
    expect(parseRfc3339(text)).toBe(ms);
  });

  it.each([
    "2026-11-28T08:00:00",
    "2026-11-28 08:00:00Z",
    "2026-11-28T08:00Z",
    "2026-11-28T08:00:00+0800",
    "2026-13-01T00:00:00Z",
    "2026-00-10T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2026-11-28T24:00:00Z",
    "2026-11-28T08:60:00Z",
    "2026-11-28T23:59:60Z",
    "2026-11-28T08:00:00+24:00",
    "2026-11-28T08:00:00.1234567890Z",
    "Sat, 28 Nov 2026 08:00:00 GMT",
  ])("rejects %j", (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });

  it("rejects a valid timestamp padded to a huge string", () => {
    expect(parseRfc3339(`2026-11-28T08:00:00Z${" ".repeat(10_000)}`)).toBeUndefined();
  });
});

describe("docs/canonical-event.schema.json", () => {
  it("is what scripts/export-schema.ts generates from the zod schema", () => {
    const committed: unknown = JSON.parse(
      readFileSync(new URL("../../docs/canonical-event.schema.json", import.meta.url), "utf8"),
    );
    expect(committed).toEqual(canonicalEventJsonSchema());
  });
});
