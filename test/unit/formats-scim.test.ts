import { describe, expect, it } from "vitest";
import { DEFAULT_SCIM_CUSTOM_FIELD_MAP, parsePayload, type ScimOptions } from "../../shared/formats/index.ts";
import { delivery, formatFixture, httpDelivery } from "../fixtures/formats/support.ts";

const USER_ID = "user_d6sbsuumeta4h66ec3il7y0001";
const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

function patch(operations: unknown[]): string {
  return JSON.stringify({
    schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    Operations: operations,
  });
}

function scim(
  body: string,
  options: { path?: string; scim?: ScimOptions; headers?: Record<string, string> } = {},
) {
  const path = options.path ?? `/scim/v2/Users/${USER_ID}`;
  return parsePayload({
    delivery: httpDelivery(body, "PATCH", path, {
      "content-type": "application/scim+json",
      ...options.headers,
    }),
    ...(options.scim ? { scim: options.scim } : {}),
  });
}

function okEvent(result: ReturnType<typeof parsePayload>) {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.problems)}`);
  expect(result.format).toBe("scim");
  return { event: result.events[0], events: result.events, ignored: result.ignored };
}

describe("SCIM PUT (full User resource)", () => {
  it("maps what UpdateUser can apply and reports everything else", () => {
    const result = parsePayload({
      delivery: httpDelivery(formatFixture("scim/put-user.json"), "PUT", `/scim/v2/Users/${USER_ID}`, {
        "webhook-id": "msg_scim_1",
      }),
    });
    const { events, ignored } = okEvent(result);
    expect(events).toEqual([
      {
        id: "msg_scim_1",
        source: "scim",
        occurredAt: "2026-11-28T08:00:00Z",
        user: { userId: USER_ID },
        changes: {
          username: "zoe.oneil",
          displayName: "Zoë O'Neil",
          email: "zoe.oneil@example.com",
          phone: "+86-138-0013-8000",
          customFields: { employee_number: "E-1001", cost_center: "CC-42", department: "Platform" },
          status: "enabled",
        },
      },
    ]);
    expect(ignored.map((entry) => entry.path).sort()).toEqual(
      [
        "externalId",
        "title",
        "emails[0]",
        "phoneNumbers[1]",
        "addresses",
        "groups",
        `${ENTERPRISE}.organization`,
        `${ENTERPRISE}.manager`,
        "name.givenName",
        "name.familyName",
      ].sort(),
    );
    for (const entry of ignored) expect(entry.reason.length).toBeGreaterThan(10);
  });

  it("without a route, a non-EIAM id falls back to the resource's externalId", () => {
    const body = JSON.parse(formatFixture("scim/put-user.json")) as Record<string, unknown>;
    body.id = "okta-00u1abcd";
    const { event } = okEvent(parsePayload({ delivery: delivery(JSON.stringify(body)) }));
    expect(event?.user).toEqual({ externalId: "W-1001" });
    expect(event?.id).toBe("delivery-1");
  });

  it("customFieldMap replaces the defaults and can map core and complex attributes", () => {
    const { event, ignored } = okEvent(
      scim(formatFixture("scim/put-user.json"), {
        scim: {
          customFieldMap: {
            ...DEFAULT_SCIM_CUSTOM_FIELD_MAP,
            title: "job_title",
            [`${ENTERPRISE}:manager`]: "manager_id",
            [`${ENTERPRISE}:organization`]: "org",
          },
        },
      }),
    );
    expect(event?.changes).toMatchObject({
      customFields: {
        employee_number: "E-1001",
        cost_center: "CC-42",
        department: "Platform",
        job_title: "Staff Engineer",
        manager_id: "user_manager0001",
        org: "Example Corp",
      },
    });
    expect(ignored.map((entry) => entry.path)).not.toContain("title");
  });

  it.each<[ScimOptions["displayNameFrom"], string]>([
    ["givenName familyName", "Zoë O'Neil"],
    ["familyName givenName", "O'Neil Zoë"],
  ])("displayNameFrom %s builds the display name", (from, expected) => {
    const body = JSON.stringify({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      name: { givenName: "Zoë", familyName: "O'Neil", formatted: "Dr. Zoë O'Neil" },
    });
    const { event, ignored } = okEvent(scim(body, { scim: { displayNameFrom: from } }));
    expect(event?.changes).toEqual({ displayName: expected });
    expect(ignored).toEqual([
      { path: "name.formatted", reason: `displayNameFrom is "${from}"; name.formatted is not used` },
    ]);
  });

  it("CJK family and given names are joined without a space", () => {
    const body = JSON.stringify({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      name: { givenName: "三", familyName: "张" },
    });
    const { event } = okEvent(scim(body, { scim: { displayNameFrom: "familyName givenName" } }));
    expect(event?.changes).toEqual({ displayName: "张三" });
  });

  it("emailType / phoneType choose other entries; primary is the fallback", () => {
    const body = JSON.stringify({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      emails: [
        { value: "a@home.example", type: "home" },
        { value: "a@other.example", type: "other", primary: true },
      ],
      phoneNumbers: [{ value: "+44 20 7946 0018", type: "work" }],
    });
    const { event } = okEvent(scim(body, { scim: { emailType: "work", phoneType: "WORK" } }));
    expect(event?.changes).toEqual({ email: "a@other.example", phone: "+44 20 7946 0018" });
  });
});

describe("SCIM PATCH", () => {
  it("each path kind, case-insensitive op, remove of a custom field", () => {
    const { event, ignored } = okEvent(scim(formatFixture("scim/patch-paths.json")));
    expect(event).toEqual({
      id: "delivery-1",
      source: "scim",
      occurredAt: "2026-11-28T12:00:00.000Z",
      user: { userId: USER_ID },
      changes: {
        username: "zoe.oneil2",
        displayName: "Zoë Q. O'Neil",
        email: "zoe.q@example.com",
        phone: "+86 138 0013 8001",
        customFields: { employee_number: "E-2002", cost_center: null },
        status: "disabled",
      },
    });
    expect(ignored).toEqual([
      { path: "title", reason: expect.stringContaining("customFieldMap") },
      {
        path: 'emails[type eq "home"].value',
        reason: 'only the email of type "work" or the primary one is applied',
      },
    ]);
  });

  it("path-less operations: value keys are attribute paths, extension objects are flattened", () => {
    const { event, ignored } = okEvent(
      scim(formatFixture("scim/patch-no-path.json"), { path: "/scim/v2/Users/W-1001" }),
    );
    expect(event?.user).toEqual({ externalId: "W-1001" });
    expect(event?.changes).toEqual({
      displayName: "Zoë O'Neil",
      email: "zoe.primary@example.com",
      customFields: { department: "Core Platform", cost_center: "CC-7" },
      status: "enabled",
    });
    expect(ignored).toEqual([
      { path: "name.givenName", reason: "displayName was given and wins over name.*" },
    ]);
  });

  it.each(["add", "Add", "ADD", "replace", "Replace", "rEpLaCe"])("op %s is accepted", (op) => {
    const { event } = okEvent(scim(patch([{ op, path: "displayName", value: "Zoë" }])));
    expect(event?.changes).toEqual({ displayName: "Zoë" });
  });

  it.each([
    ["emails[primary eq true].value", { email: "p@example.com" }, "p@example.com"],
    ['emails[type eq "WORK"]', { email: "w@example.com" }, { value: "w@example.com", type: "work" }],
    ['phoneNumbers[type eq "mobile"].value', { phone: "+8613800138000" }, "tel:+8613800138000"],
    [
      "emails",
      { email: "w2@example.com" },
      [
        { value: "x@home.example", type: "home" },
        { value: "w2@example.com", type: "work" },
      ],
    ],
    [`${ENTERPRISE}:manager`, { customFields: { manager_id: "user_m1" } }, { value: "user_m1" }],
    [`${ENTERPRISE}:manager.value`, { customFields: { manager_id: "user_m2" } }, "user_m2"],
    [`${ENTERPRISE}:employeeNumber`, { customFields: { employee_number: "1001" } }, 1001],
  ])("path %s", (path, changes, value) => {
    const options = {
      customFieldMap: { ...DEFAULT_SCIM_CUSTOM_FIELD_MAP, [`${ENTERPRISE}:manager`]: "manager_id" },
    };
    const { event } = okEvent(scim(patch([{ op: "replace", path, value }]), { scim: options }));
    expect(event?.changes).toEqual(changes);
  });

  it.each([
    ["displayName", "UpdateUser cannot clear the displayName"],
    ['emails[type eq "work"].value', "UpdateUser cannot clear the email"],
    ["name.givenName", "UpdateUser cannot clear the display name"],
  ])("remove %s is reported, not applied", (path, reason) => {
    const { events, ignored } = okEvent(scim(patch([{ op: "remove", path }])));
    expect(events).toEqual([]);
    expect(ignored).toEqual([
      { path, reason },
      { path: "", reason: "nothing in this SCIM request can be applied with UpdateUser" },
    ]);
  });

  it("active maps to status: Entra's string values too; anything else is refused", () => {
    const disable = okEvent(scim(patch([{ op: "Replace", path: "active", value: "False" }])));
    expect(disable.event?.changes).toEqual({ status: "disabled" });
    const noPath = okEvent(scim(patch([{ op: "replace", value: { active: true } }])));
    expect(noPath.event?.changes).toEqual({ status: "enabled" });
    const bad = scim(patch([{ op: "replace", path: "active", value: "maybe" }]));
    expect(bad).toMatchObject({ ok: false, problems: [{ code: "invalid_type" }] });
  });

  it("a request with only inapplicable attributes gives no event, and says why", () => {
    const { events, ignored } = okEvent(
      scim(
        patch([
          { op: "remove", path: "active" },
          { op: "add", path: "password", value: "s3cret!" },
        ]),
      ),
    );
    expect(events).toEqual([]);
    expect(ignored.map((entry) => entry.path)).toEqual(["active", "password", ""]);
    expect(JSON.stringify(ignored)).not.toContain("s3cret!");
  });

  it.each([
    ['emails[value eq "a@example.com"].value', "unsupported_path", "filter on type or primary only"],
    ['emails[type ne "work"].value', "unsupported_path", "only filters of the form"],
    ['emails[type eq "work" or primary eq true].value', "unsupported_path", "only filters of the form"],
    ["emails.value", "unsupported_path", 'select the entry with a filter, e.g. emails[type eq "work"].value'],
    [
      'addresses[type eq "work"].locality',
      "unsupported_path",
      "filters apply to emails and phoneNumbers only",
    ],
  ])("unsupported path %s is a problem naming it", (path, code, fragment) => {
    const result = scim(patch([{ op: "replace", path, value: "x" }]));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.code).toBe(code);
    expect(result.problems[0]?.message).toContain(fragment);
    expect(result.problems[0]?.message).toMatch(/unsupported SCIM path '/);
  });

  it.each([
    [[{ op: "move", path: "userName", value: "x" }], "Operations[0].op", "invalid_op"],
    [[{ op: "remove" }], "Operations[0].path", "required"],
    [[{ op: "add", path: "userName" }], "Operations[0].value", "required"],
    [[{ op: "replace", value: "not an object" }], "Operations[0].value", "invalid_type"],
    [[{ op: "replace", path: 7, value: "x" }], "Operations[0].path", "invalid_type"],
    [["not an object"], "Operations[0]", "invalid_type"],
    [[], "Operations", "required"],
    [[{ op: "replace", path: "userName", value: 42 }], "userName", "invalid_type"],
  ])("malformed operations %j → %s %s", (operations, path, code) => {
    const result = scim(patch(operations));
    expect(!result.ok && result.problems[0]).toMatchObject({ path, code });
  });

  it("a whole request fails when one operation is bad (SCIM PATCH is atomic)", () => {
    const result = scim(
      patch([
        { op: "replace", path: "displayName", value: "ok" },
        { op: "bogus", path: "userName" },
      ]),
    );
    expect(result.ok).toBe(false);
  });
});

describe("SCIM user identity", () => {
  it.each([
    ["EIAM id in the route", `/scim/v2/Users/${USER_ID}`, {}, { userId: USER_ID }],
    ["other id in the route → externalId", "/scim/v2/Users/00u1abcd", {}, { externalId: "00u1abcd" }],
    ["route without trailing id, EIAM id in body", "/scim/v2/Users", { id: USER_ID }, { userId: USER_ID }],
    ["no route id, externalId in body", "/scim", { externalId: "W-1" }, { externalId: "W-1" }],
  ])("%s", (_label, path, extra, user) => {
    const body = JSON.stringify({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      displayName: "Z",
      ...extra,
    });
    const { event } = okEvent(scim(body, { path }));
    expect(event?.user).toEqual(user);
  });

  it("route id and body id that differ are a problem", () => {
    const body = JSON.stringify({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      id: "user_other",
      displayName: "Z",
    });
    const result = scim(body);
    expect(!result.ok && result.problems[0]).toMatchObject({ path: "id", code: "id_mismatch" });
  });

  it("no way to tell the user is a problem", () => {
    const result = scim(patch([{ op: "replace", path: "displayName", value: "Z" }]), {
      path: "/scim/v2/Users",
    });
    expect(!result.ok && result.problems[0]).toMatchObject({ path: "id", code: "user_unidentified" });
  });

  it("the webhook-id header is the event id; source is configurable", () => {
    const { event } = okEvent(
      scim(patch([{ op: "replace", path: "displayName", value: "Z" }]), {
        headers: { "webhook-id": "msg_77" },
        scim: { source: "okta" },
      }),
    );
    expect(event).toMatchObject({ id: "msg_77", source: "okta" });
  });

  it("a bad customFieldMap key is a configuration problem", () => {
    const result = scim(patch([{ op: "replace", path: "displayName", value: "Z" }]), {
      scim: { customFieldMap: { 'emails[type eq "home"].value': "home_email" } },
    });
    expect(!result.ok && result.problems[0]).toMatchObject({ code: "invalid_configuration" });
  });
});
