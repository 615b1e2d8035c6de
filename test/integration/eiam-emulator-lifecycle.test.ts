import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EiamEmulator, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import { rootOrganizationalUnitId } from "../../local/eiam-emulator/users.ts";
import { callEiam, callEiamError, INSTANCE_ID, makeClient } from "./eiam-emulator.support.ts";

const ROOT_OU = rootOrganizationalUnitId(INSTANCE_ID);
const ENG = "ou_eng00000000000000000000000";
const SALES = "ou_sales000000000000000000000";
const ANNA = "user_a00000000000000000000000000";

let emulator: EiamEmulator;
let client: ReturnType<typeof makeClient>;

beforeAll(async () => {
  emulator = await startEiamEmulator({
    users: [{ userId: ANNA, username: "anna", email: "anna@example.com" }],
    organizationalUnits: [
      { organizationalUnitId: ENG, name: "Engineering", externalId: "dept-eng" },
      { organizationalUnitId: SALES, name: "Sales", externalId: "dept-sales" },
      ...Array.from({ length: 30 }, (_, i) => ({ name: `Team ${i}`, parentId: ENG })),
      { name: "Sales", parentId: ENG, externalId: "dept-eng-sales" },
    ],
  });
  client = makeClient(emulator);
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.state.reset();
});

const base = { InstanceId: INSTANCE_ID, UserId: ANNA };
const user = () => emulator.state.getUser(ANNA)!;

describe("EnableUser, DisableUser and DeleteUser", () => {
  it("disables and enables a user; DisableUser on a disabled user succeeds without a change", async () => {
    await callEiam(client, "DisableUser", base);
    expect(user().status).toBe("disabled");
    const updated = user().updateTime;
    const again = await callEiam(client, "DisableUser", base);
    expect(again.statusCode).toBe(200);
    expect(user()).toMatchObject({ status: "disabled", updateTime: updated });
    await callEiam(client, "EnableUser", base);
    expect(user().status).toBe("enabled");
  });

  it("deletes a user; a second DeleteUser answers EntityNotExists.User", async () => {
    await callEiam(client, "DeleteUser", base);
    expect(emulator.state.getUser(ANNA)).toBeUndefined();
    const gone = await callEiamError(client, "DeleteUser", base);
    expect([gone.code, gone.statusCode]).toEqual(["EntityNotExists.User", 404]);
  });

  it("names a missing UserId and answers faults like UpdateUser", async () => {
    const missing = await callEiamError(client, "EnableUser", { InstanceId: INSTANCE_ID });
    expect([missing.code, missing.statusCode]).toEqual(["MissingParameter.UserId", 400]);
    emulator.state.setFaults({ failNext: [{ kind: "5xx", count: 1 }] });
    const failed = await callEiamError(client, "DisableUser", base);
    expect(failed.statusCode).toBe(503);
    expect(user().status).toBe("enabled");
  });
});

describe("CreateUser with organizational units", () => {
  it("requires PrimaryOrganizationalUnitId and checks that it exists", async () => {
    const missing = await callEiamError(client, "CreateUser", { InstanceId: INSTANCE_ID, Username: "bo" });
    expect(missing.code).toBe("MissingParameter.PrimaryOrganizationalUnitId");
    const unknown = await callEiamError(client, "CreateUser", {
      InstanceId: INSTANCE_ID,
      Username: "bo",
      PrimaryOrganizationalUnitId: "ou_nope",
    });
    expect([unknown.code, unknown.statusCode]).toEqual(["EntityNotExists.OrganizationalUnit", 404]);
  });

  it("places the new user in its primary OU and the listed ones; the same ClientToken gives the same user", async () => {
    const params = {
      InstanceId: INSTANCE_ID,
      Username: "bo",
      PrimaryOrganizationalUnitId: ENG,
      OrganizationalUnitIds: [SALES],
      ClientToken: "joiner-1",
    };
    const first = await callEiam(client, "CreateUser", params);
    const second = await callEiam(client, "CreateUser", params);
    expect(second.body.UserId).toBe(first.body.UserId);
    const created = emulator.state.getUser(first.body.UserId as string)!;
    expect(created).toMatchObject({ primaryOrganizationalUnitId: ENG, organizationalUnitIds: [ENG, SALES] });
    const taken = await callEiamError(client, "CreateUser", { ...params, ClientToken: "joiner-2" });
    expect(taken.code).toBe("ResourceDuplicated.Username");
    const badName = await callEiamError(client, "CreateUser", {
      ...params,
      Username: "bo bo",
      ClientToken: "x",
    });
    expect(badName.code).toBe("InvalidParameter.Username");
  });
});

describe("organizational unit membership", () => {
  it("sets the primary OU, adds and removes memberships, and GetUser shows them", async () => {
    await callEiam(client, "AddUserToOrganizationalUnits", { ...base, OrganizationalUnitIds: [SALES] });
    await callEiam(client, "SetUserPrimaryOrganizationalUnit", { ...base, OrganizationalUnitId: ENG });
    await callEiam(client, "RemoveUserFromOrganizationalUnits", {
      ...base,
      OrganizationalUnitIds: [ROOT_OU],
    });
    const got = (await callEiam(client, "GetUser", base)).body.User as Record<string, unknown>;
    expect(got.PrimaryOrganizationalUnitId).toBe(ENG);
    expect(got.OrganizationalUnits).toEqual([
      { OrganizationalUnitId: SALES, OrganizationalUnitName: "Sales", Primary: false },
      { OrganizationalUnitId: ENG, OrganizationalUnitName: "Engineering", Primary: true },
    ]);
  });

  it("refuses more than 100 ids, an unknown OU, and removing the primary OU", async () => {
    const many = Array.from({ length: 101 }, () => SALES);
    const tooMany = await callEiamError(client, "AddUserToOrganizationalUnits", {
      ...base,
      OrganizationalUnitIds: many,
    });
    expect(tooMany.code).toBe("InvalidParameter.OrganizationalUnitIds");
    const missing = await callEiamError(client, "AddUserToOrganizationalUnits", base);
    expect(missing.code).toBe("MissingParameter.OrganizationalUnitIds");
    const unknown = await callEiamError(client, "SetUserPrimaryOrganizationalUnit", {
      ...base,
      OrganizationalUnitId: "ou_nope",
    });
    expect(unknown.code).toBe("EntityNotExists.OrganizationalUnit");
    const primary = await callEiamError(client, "RemoveUserFromOrganizationalUnits", {
      ...base,
      OrganizationalUnitIds: [ROOT_OU],
    });
    expect(primary.code).toBe("OperationDenied.PrimaryOrganizationalUnit");
    expect(user().organizationalUnitIds).toEqual([ROOT_OU]);
  });

  it("sends lists on the wire as OrganizationalUnitIds.N", async () => {
    emulator.state.clearRequestLog();
    await callEiam(client, "AddUserToOrganizationalUnits", { ...base, OrganizationalUnitIds: [ENG, SALES] });
    expect(emulator.state.requestLog[0]?.params).toMatchObject({
      "OrganizationalUnitIds.1": ENG,
      "OrganizationalUnitIds.2": SALES,
    });
  });
});

describe("ListOrganizationalUnits", () => {
  it("matches OrganizationalUnitName exactly and pages", async () => {
    const list = async (params: Record<string, unknown>) =>
      (await callEiam(client, "ListOrganizationalUnits", { InstanceId: INSTANCE_ID, ...params })).body;
    const sales = await list({ OrganizationalUnitName: "Sales" });
    expect(sales.TotalCount).toBe(2);
    expect(
      (sales.OrganizationalUnits as Array<{ OrganizationalUnitExternalId: string }>).map(
        (u) => u.OrganizationalUnitExternalId,
      ),
    ).toEqual(["dept-sales", "dept-eng-sales"]);
    expect((await list({ OrganizationalUnitName: "Sal" })).TotalCount).toBe(0);
    const page2 = await list({ PageNumber: 2, PageSize: 20 });
    expect(page2.TotalCount).toBe(34);
    expect((page2.OrganizationalUnits as unknown[]).length).toBe(14);
    const byId = await list({ OrganizationalUnitIds: [ENG] });
    expect(byId.OrganizationalUnits).toMatchObject([
      { OrganizationalUnitId: ENG, ParentId: ROOT_OU, Leaf: false },
    ]);
  });
});

describe("admin API", () => {
  it("seeds organizational units and shows status and membership", async () => {
    const seeded = await fetch(`${emulator.url}/__admin/organizational-units`, {
      method: "POST",
      body: JSON.stringify({ name: "Finance", externalId: "dept-fin" }),
    });
    expect(seeded.status).toBe(201);
    const ou = (await seeded.json()) as { organizationalUnitId: string };
    await callEiam(client, "AddUserToOrganizationalUnits", {
      ...base,
      OrganizationalUnitIds: [ou.organizationalUnitId],
    });
    await callEiam(client, "DisableUser", base);
    const shown = (await (await fetch(`${emulator.url}/__admin/users/${ANNA}`)).json()) as Record<
      string,
      unknown
    >;
    expect(shown).toMatchObject({
      status: "disabled",
      organizationalUnitIds: [ROOT_OU, ou.organizationalUnitId],
    });
    const bad = await fetch(`${emulator.url}/__admin/organizational-units`, { method: "POST", body: "{}" });
    expect(bad.status).toBe(400);
  });
});
