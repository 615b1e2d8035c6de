/**
 * Lifecycle in the example mappings: Feishu resignations, deletions and departments, BambooHR's employment status,
 * and Okta Event Hooks (envelope and LogEvent fields as in Okta's event-hooks concept page, senders.md §4).
 */
import { describe, expect, it } from "vitest";
import { loadMappingConfig, MappingConfigError, parsePayload } from "../../shared/formats/index.ts";
import { delivery, exampleMapping, formatFixture } from "../fixtures/formats/support.ts";

const feishu = loadMappingConfig([
  exampleMapping("feishu-contact-user-updated-v3"),
  exampleMapping("feishu-contact-user-deleted-v3"),
]);
const bamboo = loadMappingConfig(exampleMapping("bamboohr-employee"));
const okta = loadMappingConfig(exampleMapping("okta-event-hook"));

function mapped(body: unknown, mapping: ReturnType<typeof loadMappingConfig>) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return parsePayload({ delivery: delivery(text), format: "mapped", mapping });
}

const feishuUpdate = () => JSON.parse(formatFixture("mapped/feishu-user-updated.json"));

describe("Feishu", () => {
  it("maps status.is_resigned to disabled, and back to enabled", () => {
    const resigned = feishuUpdate();
    resigned.event.object.status.is_resigned = true;
    resigned.event.old_object = { status: { is_resigned: false } };
    expect(mapped(resigned, feishu)).toMatchObject({
      ok: true,
      events: [{ changes: { status: "disabled" } }],
    });
    const back = feishuUpdate();
    back.event.old_object = { status: { is_resigned: true } };
    expect(mapped(back, feishu)).toMatchObject({ ok: true, events: [{ changes: { status: "enabled" } }] });
  });

  it("maps contact.user.deleted_v3 to a delete request of the user", () => {
    const deleted = feishuUpdate();
    deleted.header.event_type = "contact.user.deleted_v3";
    delete deleted.event.old_object;
    expect(mapped(deleted, feishu)).toMatchObject({
      ok: true,
      events: [
        { id: deleted.header.event_id, user: { externalId: "fs-e10045" }, changes: { status: "deleted" } },
      ],
    });
  });

  it("names a department that is not in the lookup table", () => {
    const moved = feishuUpdate();
    moved.event.object.department_ids = ["od-unknown"];
    const result = mapped(moved, feishu);
    expect(result).toMatchObject({
      ok: false,
      problems: [{ path: "changes.organizationalUnits.add[0]", code: "unknown_organizational_unit" }],
    });
    expect(JSON.stringify(result)).toContain("od-unknown");
  });
});

describe("BambooHR", () => {
  it("maps the employment status: Active enables, anything else disables", () => {
    const payload = JSON.parse(formatFixture("mapped/bamboohr-employees.json"));
    payload.employees = [
      {
        id: "123",
        timestamp: "2026-11-28T09:00:00+00:00",
        fields: { status: "Inactive" },
        changedFields: ["status"],
      },
      {
        id: "124",
        timestamp: "2026-11-28T09:00:00+00:00",
        fields: { employmentHistoryStatus: "Active" },
        changedFields: ["employmentHistoryStatus"],
      },
    ];
    expect(mapped(payload, bamboo)).toMatchObject({
      ok: true,
      events: [
        { user: { externalId: "123" }, changes: { status: "disabled" } },
        { user: { externalId: "124" }, changes: { status: "enabled" } },
      ],
    });
  });
});

describe("Okta Event Hooks", () => {
  it("deactivate disables and reactivate enables the event target, found by its login; other events are skipped", () => {
    expect(mapped(formatFixture("mapped/okta-event-hook.json"), okta)).toEqual({
      ok: true,
      format: "mapped",
      events: [
        {
          id: "4b6d6e0a-8d0b-11f0-9c9e-000000000001",
          source: "okta",
          occurredAt: "2026-11-28T08:00:00.000Z",
          user: { username: "zhang.san" },
          changes: { status: "disabled" },
        },
        {
          id: "4b6d6e0a-8d0b-11f0-9c9e-000000000002",
          source: "okta",
          occurredAt: "2026-11-28T08:00:01.000Z",
          user: { username: "li.si" },
          changes: { status: "enabled" },
        },
      ],
      ignored: [
        { path: "[2]", reason: "mapping 'okta-event-hook': skipped (skipIfMissing): no field to change" },
      ],
    });
  });

  it("maps suspend, unsuspend and activate", () => {
    const hook = JSON.parse(formatFixture("mapped/okta-event-hook.json"));
    const types = ["user.lifecycle.suspend", "user.lifecycle.unsuspend", "user.lifecycle.activate"];
    hook.data.events = types.map((eventType, i) => ({ ...hook.data.events[0], uuid: `u-${i}`, eventType }));
    const result = mapped(hook, okta);
    expect(result.ok && result.events.map((e) => (e.changes as { status: string }).status)).toEqual([
      "disabled",
      "enabled",
      "enabled",
    ]);
  });
});

describe("mapping files", () => {
  it("refuse an OU lookup key that is not id, externalId or name", () => {
    const bad = {
      ...(exampleMapping("okta-event-hook") as object),
      organizationalUnitLookup: { key: "code" },
    };
    expect(() => loadMappingConfig(bad)).toThrow(MappingConfigError);
    expect(() => loadMappingConfig(bad)).toThrow(/organizationalUnitLookup\.key/);
  });
});
