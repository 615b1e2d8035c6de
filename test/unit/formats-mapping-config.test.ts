import { describe, expect, it } from "vitest";
import { loadMappingConfig, MappingConfigError } from "../../shared/formats/mapping-config.ts";
import { exampleMapping } from "../fixtures/formats/support.ts";

const base = {
  name: "m1",
  eventId: "id",
  occurredAt: "t",
  user: { externalId: "u" },
  changes: { email: "e" },
};

describe("loadMappingConfig", () => {
  it("loads the shipped mappings, one object or an array", () => {
    expect(
      loadMappingConfig(exampleMapping("feishu-contact-user-updated-v3")).mappings.map((m) => m.name),
    ).toEqual(["feishu-contact-user-updated-v3"]);
    const both = loadMappingConfig([
      exampleMapping("feishu-contact-user-updated-v3"),
      exampleMapping("bamboohr-employee"),
    ]);
    expect(both.mappings.map((m) => [m.name, m.source, m.each?.source])).toEqual([
      ["feishu-contact-user-updated-v3", "feishu", undefined],
      ["bamboohr-employee", "bamboohr", "employees"],
    ]);
  });

  it("defaults: source is the name, occurredAtFormat rfc3339, nullMeans absent, skipIfMissing false", () => {
    const [mapping] = loadMappingConfig({ ...base, changes: { customFields: { f: "x" } } }).mappings;
    expect(mapping).toMatchObject({ source: "m1", occurredAtFormat: "rfc3339", skipIfMissing: false });
    expect(mapping?.customFields[0]?.rule.nullMeans).toBe("absent");
  });

  it.each<[string, unknown, string]>([
    ["not an object", "feishu", "invalid mapping config: expected a mapping object or an array of mappings"],
    ["null", null, "invalid mapping config: expected a mapping object or an array of mappings"],
    ["an empty array", [], "invalid mapping config: (top level): needs at least one mapping"],
    ["a bad name", { ...base, name: "bad name!" }, "invalid mapping config: name: must be 1–64 letters"],
    [
      "a bad eventId expression",
      { ...base, eventId: "a ||" },
      "mapping 'm1': eventId: invalid JMESPath expression",
    ],
    ["a bad match expression", { ...base, match: "[?" }, "mapping 'm1': match: invalid JMESPath expression"],
    [
      "a bad custom field expression",
      { ...base, changes: { customFields: { cost_center: "x[" } } },
      "mapping 'm1': changes.customFields.cost_center: invalid JMESPath expression",
    ],
    [
      "a bad when expression",
      { ...base, changes: { email: { expr: "e", when: "(" } } },
      "mapping 'm1': changes.email.when: invalid JMESPath",
    ],
    [
      "a misspelt rule key",
      { ...base, changes: { email: { expr: "e", whenn: "x" } } },
      'changes.email: Unrecognized key: "whenn"',
    ],
    [
      "a bad nullMeans",
      { ...base, changes: { customFields: { f: { expr: "x", nullMeans: "delete" } } } },
      "changes.customFields.f.nullMeans: Invalid option",
    ],
    [
      "nullMeans on a standard field",
      { ...base, changes: { email: { expr: "e", nullMeans: "remove" } } },
      'changes.email: Unrecognized key: "nullMeans"',
    ],
    ["no user key", { ...base, user: {} }, "user: needs at least one user key expression"],
    ["an unknown user key", { ...base, user: { mobile: "m" } }, 'user: Unrecognized key: "mobile"'],
    ["no changes", { ...base, changes: {} }, "changes: needs at least one field"],
    ["an unknown change field", { ...base, changes: { title: "t" } }, 'changes: Unrecognized key: "title"'],
    ["an unknown top-level key", { ...base, extra: 1 }, '(top level): Unrecognized key: "extra"'],
    ["a bad occurredAtFormat", { ...base, occurredAtFormat: "epoch" }, "occurredAtFormat: Invalid option"],
    ["an empty expression", { ...base, eventId: "  " }, "eventId: must be a non-empty JMESPath expression"],
    ["a duplicate name", [base, base], "the name 'm1' is used twice"],
    [
      "an error inside the second mapping",
      [base, { ...base, name: "m2", occurredAt: "(" }],
      "mapping [1] 'm2': occurredAt",
    ],
  ])("%s", (_label, json, message) => {
    expect(() => loadMappingConfig(json)).toThrow(MappingConfigError);
    expect(() => loadMappingConfig(json)).toThrow(message);
  });
});
