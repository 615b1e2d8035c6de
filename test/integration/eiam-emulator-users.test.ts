import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EiamEmulator, type SeedUser, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import { rootOrganizationalUnitId } from "../../local/eiam-emulator/users.ts";
import { callEiam, callEiamError, INSTANCE_ID, makeClient } from "./eiam-emulator.support.ts";

const ROOT_OU = rootOrganizationalUnitId(INSTANCE_ID);

const seeds: SeedUser[] = [
  {
    userId: "user_a00000000000000000000000000",
    username: "anna",
    displayName: "Anna Li",
    email: "anna@example.com",
    emailVerified: true,
    phoneRegion: "86",
    phoneNumber: "13900000001",
    phoneNumberVerified: true,
    userExternalId: "hr-001",
    userSourceType: "ding_talk",
    userSourceId: "corp_1",
    customFields: { nick_name: "Annie" },
  },
  {
    userId: "user_b00000000000000000000000000",
    username: "annabel",
    displayName: "Annabel Wu",
    email: "annabel@example.com",
    status: "disabled",
    userExternalId: "hr-002",
  },
  {
    userId: "user_c00000000000000000000000000",
    username: "carl",
    displayName: "张伟",
    phoneRegion: "1",
    phoneNumber: "4155550101",
    userExternalId: "hr-003",
  },
  ...Array.from(
    { length: 22 },
    (_, i): SeedUser => ({ username: `bulk${String(i).padStart(2, "0")}`, displayName: `Bulk ${i}` }),
  ),
];

let emulator: EiamEmulator;
let client: ReturnType<typeof makeClient>;

beforeAll(async () => {
  emulator = await startEiamEmulator({ users: seeds, customFields: [{ fieldName: "nick_name" }] });
  client = makeClient(emulator);
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.state.reset();
});

type Summary = { UserId: string; Username: string };
const list = async (params: Record<string, unknown>) => {
  const result = await callEiam(client, "ListUsers", { InstanceId: INSTANCE_ID, ...params });
  return {
    total: result.body.TotalCount as number,
    users: result.body.Users as Summary[],
    body: result.body,
  };
};

describe("GetUser", () => {
  it("answers every GetUser field of the reference", async () => {
    const result = await callEiam(client, "GetUser", {
      InstanceId: INSTANCE_ID,
      UserId: "user_a00000000000000000000000000",
    });
    expect(result.body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    const user = result.body.User as Record<string, unknown>;
    expect(user).toMatchObject({
      UserId: "user_a00000000000000000000000000",
      Username: "anna",
      DisplayName: "Anna Li",
      Email: "anna@example.com",
      EmailVerified: true,
      PhoneRegion: "86",
      PhoneNumber: "13900000001",
      PhoneNumberVerified: true,
      PasswordSet: false,
      Status: "enabled",
      UserExternalId: "hr-001",
      UserSourceType: "ding_talk",
      UserSourceId: "corp_1",
      InstanceId: INSTANCE_ID,
      PasswordExpireTime: -1,
      Groups: [],
      CustomFields: [{ FieldName: "nick_name", FieldValue: "Annie" }],
    });
    expect(user.PrimaryOrganizationalUnitId).toMatch(/^ou_[a-z0-9]{26}$/);
    expect(user.OrganizationalUnits).toEqual([
      {
        OrganizationalUnitId: user.PrimaryOrganizationalUnitId,
        OrganizationalUnitName: INSTANCE_ID,
        Primary: true,
      },
    ]);
    for (const key of ["CreateTime", "UpdateTime", "RegisterTime"]) expect(typeof user[key]).toBe("number");
  });
});

describe("CreateUser", () => {
  it("creates a user with an id of user_ + 26 lowercase alphanumerics", async () => {
    const result = await callEiam(client, "CreateUser", {
      InstanceId: INSTANCE_ID,
      PrimaryOrganizationalUnitId: ROOT_OU,
      Username: "new.user",
      DisplayName: "New User",
      Email: "new.user@example.com",
      EmailVerified: true,
      Password: "S3cret!pass",
      CustomFields: [{ FieldName: "nick_name", FieldValue: "Newbie" }],
    });
    const userId = result.body.UserId as string;
    expect(userId).toMatch(/^user_[a-z0-9]{26}$/);
    expect(emulator.state.getUser(userId)).toMatchObject({
      username: "new.user",
      passwordSet: true,
      userExternalId: userId,
      customFields: { nick_name: "Newbie" },
    });
  });

  it("answers the same UserId for a repeated ClientToken", async () => {
    const params = {
      InstanceId: INSTANCE_ID,
      Username: "once",
      ClientToken: "token-1",
      PrimaryOrganizationalUnitId: ROOT_OU,
    };
    const first = await callEiam(client, "CreateUser", params);
    const second = await callEiam(client, "CreateUser", params);
    expect(second.body.UserId).toBe(first.body.UserId);
    expect(emulator.state.listUsers().filter((user) => user.username === "once")).toHaveLength(1);
  });

  it("refuses a taken Username (403) and a missing Username (400)", async () => {
    const taken = await callEiamError(client, "CreateUser", {
      InstanceId: INSTANCE_ID,
      Username: "anna",
      PrimaryOrganizationalUnitId: ROOT_OU,
    });
    expect([taken.code, taken.statusCode]).toEqual(["ResourceDuplicated.Username", 403]);
    const missing = await callEiamError(client, "CreateUser", { InstanceId: INSTANCE_ID });
    expect([missing.code, missing.statusCode]).toEqual(["MissingParameter.Username", 400]);
  });
});

describe("ListUsers", () => {
  it("defaults to page 1 of 20 and reports TotalCount", async () => {
    const { total, users } = await list({});
    expect(total).toBe(25);
    expect(users).toHaveLength(20);
    expect(users[0]?.Username).toBe("anna");
  });

  it("pages with PageNumber and PageSize", async () => {
    const page2 = await list({ PageNumber: 2, PageSize: 10 });
    expect(page2.total).toBe(25);
    expect(page2.users.map((user) => user.Username)).toEqual(
      Array.from({ length: 10 }, (_, i) => `bulk${String(i + 7).padStart(2, "0")}`),
    );
    const page3 = await list({ PageNumber: 3, PageSize: 10 });
    expect(page3.users).toHaveLength(5);
    const beyond = await list({ PageNumber: 9, PageSize: 10 });
    expect(beyond.users).toEqual([]);
  });

  it.each([
    [{ PageSize: 0 }, "InvalidParameter.PageSize"],
    [{ PageSize: 101 }, "InvalidParameter.PageSize"],
    [{ PageNumber: 0 }, "InvalidParameter.PageNumber"],
    [{ PageNumber: "two" }, "InvalidParameter.PageNumber"],
    [{ Status: "locked" }, "InvalidParameter.Status"],
  ])("refuses %o with %s", async (params, code) => {
    const error = await callEiamError(client, "ListUsers", { InstanceId: INSTANCE_ID, ...params });
    expect(error.code).toBe(code);
    expect(error.statusCode).toBe(400);
  });

  it("accepts the largest PageSize, 100", async () => {
    expect((await list({ PageSize: 100 })).users).toHaveLength(25);
  });

  it.each([
    ["UsernameStartsWith (prefix)", { UsernameStartsWith: "anna" }, ["anna", "annabel"]],
    ["DisplayNameStartsWith (prefix)", { DisplayNameStartsWith: "Anna" }, ["anna", "annabel"]],
    ["DisplayNameStartsWith in Chinese", { DisplayNameStartsWith: "张" }, ["carl"]],
    ["Email", { Email: "annabel@example.com" }, ["annabel"]],
    ["PhoneRegion + PhoneNumber", { PhoneRegion: "1", PhoneNumber: "4155550101" }, ["carl"]],
    ["Status", { Status: "disabled" }, ["annabel"]],
    ["UserExternalId", { UserExternalId: "hr-003" }, ["carl"]],
    ["UserSourceType + UserSourceId", { UserSourceType: "ding_talk", UserSourceId: "corp_1" }, ["anna"]],
    [
      "UserIds.N",
      { UserIds: ["user_c00000000000000000000000000", "user_a00000000000000000000000000"] },
      ["anna", "carl"],
    ],
    ["several filters together", { UsernameStartsWith: "anna", Status: "enabled" }, ["anna"]],
  ])("filters by %s", async (_name, params, usernames) => {
    const { total, users } = await list(params);
    expect(users.map((user) => user.Username)).toEqual(usernames);
    expect(total).toBe(usernames.length);
  });

  it("leaves CustomFields and the organizational data out of the summaries", async () => {
    const { users } = await list({ UserIds: ["user_a00000000000000000000000000"] });
    const summary = users[0] as Record<string, unknown>;
    expect(summary.Username).toBe("anna");
    for (const key of ["CustomFields", "Groups", "OrganizationalUnits", "PrimaryOrganizationalUnitId"]) {
      expect(summary).not.toHaveProperty(key);
    }
  });

  it("pages with MaxResults and NextToken", async () => {
    const first = await list({ MaxResults: 20 });
    expect(first.users).toHaveLength(20);
    expect(typeof first.body.NextToken).toBe("string");
    const second = await list({ MaxResults: 20, NextToken: first.body.NextToken });
    expect(second.users).toHaveLength(5);
    expect(second.body).not.toHaveProperty("NextToken");
  });
});

describe("unknown actions", () => {
  it("answers InvalidAction.NotFound 404", async () => {
    const error = await callEiamError(client, "FrobnicateUser", {
      InstanceId: INSTANCE_ID,
      UserId: "user_x",
    });
    expect(error.code).toBe("InvalidAction.NotFound");
    expect(error.statusCode).toBe(404);
  });
});
