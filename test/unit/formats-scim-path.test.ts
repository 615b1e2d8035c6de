import { describe, expect, it } from "vitest";
import { ENTERPRISE_USER_SCHEMA, parseScimPath, pathKey } from "../../shared/formats/scim-path.ts";

describe("SCIM path parser", () => {
  it.each([
    ["userName", { attr: "userName" }],
    ["name.formatted", { attr: "name", sub: "formatted" }],
    [
      'emails[type eq "work"].value',
      { attr: "emails", filter: { attr: "type", value: "work" }, sub: "value" },
    ],
    [
      "emails[primary eq true].value",
      { attr: "emails", filter: { attr: "primary", value: true }, sub: "value" },
    ],
    ['phoneNumbers[type EQ "mobile"]', { attr: "phoneNumbers", filter: { attr: "type", value: "mobile" } }],
    [
      'emails[type eq "a \\"quoted\\" type"].value',
      { attr: "emails", filter: { attr: "type", value: 'a "quoted" type' }, sub: "value" },
    ],
    [
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
      { schema: ENTERPRISE_USER_SCHEMA, attr: "employeeNumber" },
    ],
    [
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
      { schema: ENTERPRISE_USER_SCHEMA, attr: "manager", sub: "value" },
    ],
    [
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
      { schema: ENTERPRISE_USER_SCHEMA, attr: "" },
    ],
    ["urn:ietf:params:scim:schemas:core:2.0:User:displayName", { attr: "displayName" }],
    ["urn:ietf:params:scim:schemas:core:2.0:User", { attr: "" }],
  ])("%s", (text, expected) => {
    expect(parseScimPath(text)).toEqual({ ok: true, path: expected });
  });

  it.each([
    ['emails[value co "@example.com"].value', "only filters of the form"],
    ['emails[type eq "work" and primary eq true].value', "only filters of the form"],
    ["emails[type pr]", "only filters of the form"],
    ["emails[primary eq 1]", "only filters of the form"],
    ['emails[type eq "work"', "no closing ']'"],
    ['emails[type eq "work"]x', "only '.subAttr' may follow a filter"],
    ["name.given.more", "only one level of sub-attribute"],
    ["", "the path is empty"],
    ["9lives", "is not an attribute name"],
  ])("refuses %s", (text, reason) => {
    const result = parseScimPath(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toContain(`unsupported SCIM path '${text}'`);
    expect(result.reason).toContain(reason);
  });

  it("pathKey is case-insensitive and ignores filters", () => {
    const a = parseScimPath("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter");
    const b = parseScimPath("URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:COSTCENTER");
    expect(a.ok && b.ok && pathKey(a.path) === pathKey(b.path)).toBe(true);
  });
});
