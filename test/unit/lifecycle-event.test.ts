/** The lifecycle additions to canonical event v1: shape, normalization, leaver salvage, settings, OU lookups. */
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../shared/config.ts";
import { parseCanonicalEvent } from "../../shared/events/parse.ts";
import { normalizeChange } from "../../shared/normalize/index.ts";
import { salvageLeaver } from "../../shared/pipeline/leaver-first.ts";
import { clientTokenFor, lifecycleUnits, operationsForUser } from "../../shared/pipeline/operations.ts";
import { planChange } from "../../shared/pipeline/plan.ts";
import { OrganizationalUnitResolver } from "../../shared/resolve/ou-resolver.ts";

const event = (changes: Record<string, unknown>) => ({
  id: "evt-1",
  occurredAt: "2026-11-28T08:00:00Z",
  user: { userId: "user_1" },
  changes,
});

describe("canonical event v1: lifecycle fields", () => {
  it("accepts status, a primary OU and memberships by id, externalId or name", () => {
    const parsed = parseCanonicalEvent(
      event({
        status: "deleted",
        primaryOrganizationalUnit: { name: "Sales" },
        organizationalUnits: { add: [{ id: "ou_1" }, { externalId: "dept-7" }], remove: [{ name: "Old" }] },
      }),
    );
    expect(parsed.ok).toBe(true);
  });

  it("names what is wrong: an unknown status, a reference with two keys, the same OU in add and remove", () => {
    const bad = parseCanonicalEvent(
      event({
        status: "fired",
        primaryOrganizationalUnit: { id: "ou_1", name: "Sales" },
        organizationalUnits: { add: [{ id: "ou_2" }], remove: [{ id: "ou_2" }] },
      }),
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    const paths = bad.problems.map((p) => p.path);
    expect(paths).toContain("changes.status");
    expect(paths).toContain("changes.primaryOrganizationalUnit");
    expect(paths).toContain("changes.organizationalUnits");
    const empty = parseCanonicalEvent(event({ organizationalUnits: {} }));
    expect(empty.ok || empty.problems[0]).toMatchObject({
      path: "changes.organizationalUnits",
      code: "no_changes",
    });
  });

  it("normalizes deleted to a disable, or to a delete with DELETE_MEANS=delete", () => {
    const parsed = parseCanonicalEvent(event({ status: "deleted" }));
    if (!parsed.ok) throw new Error("expected ok");
    const disable = normalizeChange(parsed.event);
    expect(disable.ok && disable.change.lifecycle).toEqual({ status: "disabled" });
    const remove = normalizeChange(parsed.event, { deleteMeans: "delete" });
    expect(remove.ok && remove.change.lifecycle).toEqual({ delete: true });
    const plain = parseCanonicalEvent(event({ displayName: "A" }));
    const normalized = plain.ok ? normalizeChange(plain.event) : undefined;
    expect(normalized?.ok && normalized.change.lifecycle).toBeUndefined();
  });
});

describe("a leaver's invalid fields", () => {
  it("are split off; the status and valid fields are kept", () => {
    const candidate = event({ status: "disabled", displayName: "Gone", phone: "12", phoneVerified: true });
    const problems = [{ path: "changes.phone", code: "invalid_phone", message: "bad" }];
    const salvaged = salvageLeaver(candidate, problems, {});
    expect(salvaged?.change.fields).toEqual({ displayName: "Gone" });
    expect(salvaged?.change.lifecycle).toEqual({ status: "disabled" });
    expect(salvaged?.rejected).toEqual(problems);
  });

  it("are not split off for an enable, or when the user key is wrong", () => {
    const problems = [{ path: "changes.phone", code: "invalid_phone", message: "bad" }];
    expect(salvageLeaver(event({ status: "enabled", phone: "12" }), problems, {})).toBeUndefined();
    const userProblem = [{ path: "user.email", code: "invalid_email", message: "bad" }];
    expect(salvageLeaver(event({ status: "disabled" }), userProblem, {})).toBeUndefined();
  });
});

describe("operations", () => {
  const change = {
    eventId: "e",
    occurredAt: "",
    occurredAtMs: 1,
    user: { userId: "u" },
    fields: { displayName: "D" },
  };

  it("a leaver: fields, OUs, then the disable; a re-hire: enable first", () => {
    const leaver = {
      status: "disabled" as const,
      primaryOrganizationalUnitId: "ou_p",
      add: ["ou_a"],
      remove: [],
    };
    const units = [...lifecycleUnits(leaver)];
    const plan = planChange(change, {}, [
      { name: "displayName", apply: (t) => (t.displayName = "D"), valueHash: "x" },
      ...units,
    ]);
    expect(operationsForUser("i", "u", plan, leaver).map((op) => op.action)).toEqual([
      "UpdateUser",
      "SetUserPrimaryOrganizationalUnit",
      "AddUserToOrganizationalUnits",
      "DisableUser",
    ]);
    const rehire = { status: "enabled" as const, add: [], remove: [] };
    const rehirePlan = planChange(change, {}, [
      { name: "displayName", apply: (t) => (t.displayName = "D"), valueHash: "x" },
      ...lifecycleUnits(rehire),
    ]);
    expect(operationsForUser("i", "u", rehirePlan, rehire).map((op) => op.action)).toEqual([
      "EnableUser",
      "UpdateUser",
    ]);
  });

  it("ClientToken: the same for the same key, ASCII, at most 64 characters", () => {
    const token = clientTokenFor("workday:evt%201");
    expect(token).toBe(clientTokenFor("workday:evt%201"));
    expect(token).not.toBe(clientTokenFor("workday:evt%202"));
    expect(token).toMatch(/^[\x21-\x7e]{1,64}$/);
  });
});

describe("settings", () => {
  const base = { EIAM_INSTANCE_ID: "idaas_1", FC_REGION: "cn-hangzhou", DEAD_LETTER_TOPIC: "dlq" };

  it("default to dead-lettering unknown users and disabling on delete", () => {
    const c = loadConfig(base);
    expect(c.lifecycle).toEqual({ unknownUser: "dead-letter" });
    expect(c.normalize.deleteMeans).toBe("disable");
    const create = loadConfig({
      ...base,
      UNKNOWN_USER: "create",
      DEFAULT_ORGANIZATIONAL_UNIT_ID: "ou_x",
      DELETE_MEANS: "delete",
    });
    expect(create.lifecycle).toEqual({ unknownUser: "create", defaultOrganizationalUnitId: "ou_x" });
    expect(create.normalize.deleteMeans).toBe("delete");
  });

  it("refuse bad values, naming the variable", () => {
    expect(() => loadConfig({ ...base, UNKNOWN_USER: "invent" })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, UNKNOWN_USER: "invent" })).toThrow(/UNKNOWN_USER/);
    expect(() => loadConfig({ ...base, DELETE_MEANS: "purge" })).toThrow(/DELETE_MEANS/);
    expect(() => loadConfig({ ...base, DEFAULT_ORGANIZATIONAL_UNIT_ID: "ou x" })).toThrow(
      /DEFAULT_ORGANIZATIONAL_UNIT_ID/,
    );
  });
});

describe("OU lookups", () => {
  const units = [
    { OrganizationalUnitId: "ou_1", OrganizationalUnitName: "Sales", OrganizationalUnitExternalId: "d-1" },
    { OrganizationalUnitId: "ou_2", OrganizationalUnitName: "Sales", OrganizationalUnitExternalId: "d-2" },
    { OrganizationalUnitId: "ou_3", OrganizationalUnitName: "Finance", OrganizationalUnitExternalId: "d-3" },
  ];
  const calls: unknown[] = [];
  const resolver = new OrganizationalUnitResolver(async (filter) => {
    calls.push(filter);
    const found = units.filter(
      (u) => !filter.OrganizationalUnitName || u.OrganizationalUnitName === filter.OrganizationalUnitName,
    );
    return { totalCount: found.length, organizationalUnits: found };
  }, 60_000);

  it("finds exactly one, caches it, and names a reference that matches none or several", async () => {
    expect(await resolver.resolve({ externalId: "d-3" })).toBe("ou_3");
    expect(await resolver.resolve({ externalId: "d-3" })).toBe("ou_3");
    expect(calls).toHaveLength(1);
    expect(await resolver.resolve({ name: "Finance" })).toBe("ou_3");
    await expect(resolver.resolve({ name: "Sales" })).rejects.toMatchObject({
      code: "AmbiguousOrganizationalUnit",
      message: expect.stringContaining('name "Sales"'),
    });
    await expect(resolver.resolve({ externalId: "d-9" })).rejects.toMatchObject({
      code: "OrganizationalUnitNotFound",
      message: expect.stringContaining('externalId "d-9"'),
    });
  });
});
