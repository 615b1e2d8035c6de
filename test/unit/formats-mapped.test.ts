import { describe, expect, it } from "vitest";
import { loadMappingConfig, parsePayload } from "../../shared/formats/index.ts";
import { delivery, exampleMapping, formatFixture } from "../fixtures/formats/support.ts";

const feishu = loadMappingConfig(exampleMapping("feishu-contact-user-updated-v3"));
const bamboo = loadMappingConfig(exampleMapping("bamboohr-employee"));
const both = loadMappingConfig([
  exampleMapping("feishu-contact-user-updated-v3"),
  exampleMapping("bamboohr-employee"),
]);

function mapped(body: string, mapping = both, mappingName?: string) {
  return parsePayload({
    delivery: delivery(body),
    format: "mapped",
    mapping,
    ...(mappingName ? { mappingName } : {}),
  });
}

describe("shipped mappings", () => {
  it("Feishu contact.user.updated_v3: only the changed fields (name, mobile and departments)", () => {
    expect(mapped(formatFixture("mapped/feishu-user-updated.json"), feishu)).toEqual({
      ok: true,
      format: "mapped",
      ignored: [],
      events: [
        {
          id: "f7d3a2c6b1e04c52a9d8e0f1c2b3a4d5",
          source: "feishu",
          occurredAt: "2026-11-28T08:00:00.000Z",
          user: { externalId: "fs-e10045" },
          changes: {
            displayName: "李四",
            phone: "+8613800138000",
            organizationalUnits: { add: [{ name: "Engineering" }], remove: [{ name: "Sales" }] },
          },
        },
      ],
    });
  });

  it("Feishu: a department change moves the user between the OUs of the lookup table", () => {
    const result = mapped(formatFixture("mapped/feishu-user-department-only.json"), feishu);
    expect(result).toMatchObject({
      ok: true,
      events: [
        {
          user: { externalId: "fs-e10045" },
          changes: { organizationalUnits: { add: [{ name: "Engineering" }], remove: [{ name: "Sales" }] } },
        },
      ],
    });
  });

  it("Feishu: a change of nothing we map is skipped and reported", () => {
    const body = JSON.parse(formatFixture("mapped/feishu-user-department-only.json"));
    body.event.old_object = { job_title: "Intern" };
    expect(mapped(JSON.stringify(body), feishu)).toEqual({
      ok: true,
      format: "mapped",
      events: [],
      ignored: [
        {
          path: "",
          reason: "mapping 'feishu-contact-user-updated-v3': skipped (skipIfMissing): no field to change",
        },
      ],
    });
  });

  it("BambooHR: one event per employee, changed fields only, null employeeNumber removes the custom field", () => {
    expect(mapped(formatFixture("mapped/bamboohr-employees.json"), bamboo)).toEqual({
      ok: true,
      format: "mapped",
      events: [
        {
          id: "123:2026-11-28T08:00:00+00:00",
          source: "bamboohr",
          occurredAt: "2026-11-28T08:00:00+00:00",
          user: { externalId: "123" },
          changes: { displayName: "Ada Lovelace", email: "ada.lovelace@example.com" },
        },
        {
          id: "124:2026-11-28T08:05:00+00:00",
          source: "bamboohr",
          occurredAt: "2026-11-28T08:05:00+00:00",
          user: { externalId: "124" },
          changes: { phone: "+1 415 555 0199", customFields: { employee_number: null } },
        },
      ],
      ignored: [
        { path: "[2]", reason: "mapping 'bamboohr-employee': skipped (skipIfMissing): no field to change" },
      ],
    });
  });
});

describe("choosing a mapping from an array", () => {
  it("the first whose match holds", () => {
    const feishuResult = mapped(formatFixture("mapped/feishu-user-updated.json"));
    const bambooResult = mapped(formatFixture("mapped/bamboohr-employees.json"));
    expect(feishuResult.ok && feishuResult.events[0]?.source).toBe("feishu");
    expect(bambooResult.ok && bambooResult.events.map((event) => event.source)).toEqual([
      "bamboohr",
      "bamboohr",
    ]);
  });

  it("by name (route), whose match must still hold", () => {
    const result = mapped(formatFixture("mapped/feishu-user-updated.json"), both, "bamboohr-employee");
    expect(!result.ok && result.problems[0]).toMatchObject({ code: "no_mapping_matched" });
    const named = mapped(formatFixture("mapped/bamboohr-employees.json"), both, "bamboohr-employee");
    expect(named.ok).toBe(true);
  });

  it("an unknown name is a problem listing the known ones", () => {
    const result = mapped("{}", both, "workday");
    expect(!result.ok && result.problems[0]).toEqual({
      path: "",
      code: "unknown_mapping",
      message: "no mapping is named 'workday' (known: feishu-contact-user-updated-v3, bamboohr-employee)",
    });
  });

  it("nothing matching is a problem, not a silent drop", () => {
    const result = mapped(formatFixture("mapped/feishu-user-created.json"));
    expect(!result.ok && result.problems[0]?.code).toBe("no_mapping_matched");
  });
});

describe("mapping semantics", () => {
  const base = {
    name: "t",
    eventId: "event.id",
    occurredAt: "event.at",
    user: { externalId: "who.ext", email: "who.email" },
    changes: {
      displayName: "name",
      customFields: { team: "team", level: { expr: "level", nullMeans: "remove" } },
    },
  };

  it("null means absent unless nullMeans is remove; numbers become strings for custom fields", () => {
    const config = loadMappingConfig(base);
    const result = mapped(
      JSON.stringify({
        event: { id: 7, at: "2026-11-28T08:00:00Z" },
        who: { email: "a@example.com" },
        team: 12,
      }),
      config,
    );
    expect(result.ok && result.events).toEqual([
      {
        id: "7",
        source: "t",
        occurredAt: "2026-11-28T08:00:00Z",
        user: { email: "a@example.com" },
        changes: { customFields: { team: "12", level: null } },
      },
    ]);
  });

  it("user keys are tried in a fixed order (userId, externalId, username, email, phone)", () => {
    const config = loadMappingConfig(base);
    const result = mapped(
      JSON.stringify({
        event: { id: "e", at: "2026-11-28T08:00:00Z" },
        who: { email: "a@example.com", ext: "X-1" },
        name: "A",
      }),
      config,
    );
    expect(result.ok && result.events[0]?.user).toEqual({ externalId: "X-1" });
  });

  it.each([
    ["epoch-s", 1_795_852_800, "2026-11-28T08:00:00.000Z"],
    ["epoch-ms", "1795852800000", "2026-11-28T08:00:00.000Z"],
  ])("occurredAtFormat %s", (format, at, iso) => {
    const config = loadMappingConfig({ ...base, occurredAtFormat: format });
    const result = mapped(JSON.stringify({ event: { id: "e", at }, who: { ext: "X" }, name: "A" }), config);
    expect(result.ok && result.events[0]?.occurredAt).toBe(iso);
  });

  it("$root reaches the whole payload inside each", () => {
    const config = loadMappingConfig({
      name: "batch",
      each: "items",
      eventId: "join('-', [$root.batchId, id])",
      occurredAt: "$root.sentAt",
      user: { username: "login" },
      changes: { displayName: "name" },
    });
    const body = {
      batchId: "b9",
      sentAt: "2026-11-28T08:00:00Z",
      items: [{ id: "1", login: "ada", name: "Ada" }],
    };
    const result = mapped(JSON.stringify(body), config);
    expect(result.ok && result.events).toEqual([
      {
        id: "b9-1",
        source: "batch",
        occurredAt: "2026-11-28T08:00:00Z",
        user: { username: "ada" },
        changes: { displayName: "Ada" },
      },
    ]);
  });

  it.each([
    [
      "missing eventId",
      { event: { at: "2026-11-28T08:00:00Z" }, who: { ext: "X" } },
      { path: "id", code: "required" },
    ],
    [
      "occurredAt not a string",
      { event: { id: "e", at: 5 }, who: { ext: "X" } },
      { path: "occurredAt", code: "invalid_type" },
    ],
    ["no user key", { event: { id: "e", at: "2026-11-28T08:00:00Z" } }, { path: "user", code: "required" }],
    [
      "custom field gives an object",
      { event: { id: "e", at: "2026-11-28T08:00:00Z" }, who: { ext: "X" }, team: { a: 1 } },
      { path: "changes.customFields.team", code: "invalid_type" },
    ],
  ])("problem: %s", (_label, body, expected) => {
    const result = mapped(JSON.stringify(body), loadMappingConfig(base));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual(expect.objectContaining(expected));
    for (const p of result.problems) expect(p.message).toContain("mapping 't'");
  });

  it("an expression that fails at run time is a problem naming the expression", () => {
    const config = loadMappingConfig({ ...base, changes: { displayName: "keys(name)" } });
    const result = mapped(
      JSON.stringify({ event: { id: "e", at: "2026-11-28T08:00:00Z" }, who: { ext: "X" }, name: "A" }),
      config,
    );
    expect(!result.ok && result.problems[0]).toMatchObject({
      code: "mapping_failed",
      message: expect.stringContaining("changes.displayName expression `keys(name)` failed"),
    });
  });

  it("each that is not an array is a problem", () => {
    const result = mapped('{"employees":{"id":"1"}}', bamboo, "bamboohr-employee");
    expect(!result.ok && result.problems[0]?.code).toBe("no_mapping_matched");
    const config = loadMappingConfig({ ...base, each: "items" });
    const notArray = mapped('{"items":"x"}', config);
    expect(!notArray.ok && notArray.problems[0]?.message).toContain(
      "each `items` gave a string; expected an array",
    );
  });

  it("per-element problems carry the element index", () => {
    const config = loadMappingConfig({ ...base, each: "items" });
    const ok = { event: { id: "e", at: "2026-11-28T08:00:00Z" }, who: { ext: "X" }, name: "A" };
    const result = mapped(JSON.stringify({ items: [ok, { ...ok, event: { at: ok.event.at } }] }), config);
    expect(!result.ok && result.problems).toEqual([
      expect.objectContaining({ path: "[1].id", code: "required" }),
    ]);
  });
});
