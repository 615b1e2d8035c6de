import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EiamEmulator, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import { callEiam, callEiamError, INSTANCE_ID, makeClient } from "./eiam-emulator.support.ts";

const ALICE = "user_alice000000000000000000000";
const BOB = "user_bob00000000000000000000000";

let emulator: EiamEmulator;
let client: ReturnType<typeof makeClient>;

beforeAll(async () => {
  emulator = await startEiamEmulator({
    customFields: [
      { fieldName: "nick_name" },
      { fieldName: "employee_number", pattern: "[0-9]{1,8}" },
      { fieldName: "department", maxLength: 10 },
    ],
    users: [
      {
        userId: ALICE,
        username: "alice",
        displayName: "Alice",
        email: "alice@example.com",
        emailVerified: true,
        phoneRegion: "86",
        phoneNumber: "13800000001",
        phoneNumberVerified: true,
        customFields: { department: "eng" },
      },
      {
        userId: BOB,
        username: "bob",
        email: "bob@example.com",
        emailVerified: true,
        phoneRegion: "86",
        phoneNumber: "13800000002",
        phoneNumberVerified: true,
      },
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

const update = (params: Record<string, unknown>) =>
  callEiam(client, "UpdateUser", { InstanceId: INSTANCE_ID, UserId: ALICE, ...params });
const updateError = (params: Record<string, unknown>) =>
  callEiamError(client, "UpdateUser", { InstanceId: INSTANCE_ID, UserId: ALICE, ...params });
const field = (FieldName: string, Operation?: string, FieldValue?: string) => ({
  FieldName,
  ...(Operation !== undefined ? { Operation } : {}),
  ...(FieldValue !== undefined ? { FieldValue } : {}),
});

describe("UpdateUser parameter rules (each violation → 400, nothing changes)", () => {
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ["Username longer than 256", { Username: "u".repeat(257) }, "InvalidParameter.Username", "256"],
    ["Username with a space", { Username: "alice smith" }, "InvalidParameter.Username", "_ . @ -"],
    ["Username with a +", { Username: "alice+1" }, "InvalidParameter.Username", "letters, digits"],
    ["empty Username", { Username: "" }, "InvalidParameter.Username", "1 to 256"],
    ["DisplayName longer than 128", { DisplayName: "d".repeat(129) }, "InvalidParameter.DisplayName", "128"],
    [
      "PhoneRegion with +",
      { PhoneRegion: "+86", PhoneNumber: "13800000009", PhoneNumberVerified: true },
      "InvalidParameter.PhoneRegion",
      '"+"',
    ],
    [
      "PhoneRegion with 00",
      { PhoneRegion: "0086", PhoneNumber: "13800000009", PhoneNumberVerified: true },
      "InvalidParameter.PhoneRegion",
      '"00"',
    ],
    [
      "PhoneNumber without PhoneRegion",
      { PhoneNumber: "13800000009", PhoneNumberVerified: true },
      "MissingParameter.PhoneRegion",
      "PhoneNumber",
    ],
    [
      "PhoneNumber of 5 digits",
      { PhoneRegion: "86", PhoneNumber: "12345", PhoneNumberVerified: true },
      "InvalidParameter.PhoneNumber",
      "6 to 15",
    ],
    [
      "PhoneNumber of 16 digits",
      { PhoneRegion: "86", PhoneNumber: "1".repeat(16), PhoneNumberVerified: true },
      "InvalidParameter.PhoneNumber",
      "6 to 15",
    ],
    [
      "PhoneNumber with a dash",
      { PhoneRegion: "86", PhoneNumber: "138-0000-0009", PhoneNumberVerified: true },
      "InvalidParameter.PhoneNumber",
      "digits",
    ],
    [
      "PhoneNumber without PhoneNumberVerified",
      { PhoneRegion: "86", PhoneNumber: "13800000009" },
      "MissingParameter.PhoneNumberVerified",
      "PhoneNumber",
    ],
    [
      "PhoneNumberVerified not a boolean",
      { PhoneRegion: "86", PhoneNumber: "13800000009", PhoneNumberVerified: "TRUE" },
      "InvalidParameter.PhoneNumberVerified",
      '"true" or "false"',
    ],
    [
      "Email with + in the local part",
      { Email: "alice+x@example.com", EmailVerified: true },
      "InvalidParameter.Email",
      "local part",
    ],
    [
      "Email without a domain",
      { Email: "alice@", EmailVerified: true },
      "InvalidParameter.Email",
      "local-part@domain",
    ],
    [
      "Email with a dotless domain",
      { Email: "alice@localhost", EmailVerified: true },
      "InvalidParameter.Email",
      "domain",
    ],
    [
      "Email without EmailVerified",
      { Email: "alice2@example.com" },
      "MissingParameter.EmailVerified",
      "Email",
    ],
    [
      "EmailVerified not a boolean",
      { Email: "alice2@example.com", EmailVerified: "yes" },
      "InvalidParameter.EmailVerified",
      "EmailVerified",
    ],
    [
      "an undefined custom field",
      { CustomFields: [field("shoe_size", "add", "42")] },
      "InvalidParameter.CustomFields.FieldName",
      "shoe_size",
    ],
    [
      "an unknown Operation",
      { CustomFields: [field("nick_name", "upsert", "x")] },
      "InvalidParameter.CustomFields.Operation",
      "add, replace, remove",
    ],
    [
      "a missing Operation",
      { CustomFields: [field("nick_name", undefined, "x")] },
      "MissingParameter.CustomFields.Operation",
      "CustomFields.1.Operation",
    ],
    [
      "a missing FieldValue for replace",
      { CustomFields: [field("nick_name", "replace")] },
      "MissingParameter.CustomFields.FieldValue",
      "CustomFields.1.FieldValue",
    ],
    [
      "a missing FieldName",
      { CustomFields: [{ Operation: "add", FieldValue: "x" }] },
      "MissingParameter.CustomFields.FieldName",
      "CustomFields.1.FieldName",
    ],
    [
      "a value breaking the field pattern",
      { CustomFields: [field("employee_number", "add", "12ab")] },
      "InvalidParameter.CustomFields.FieldValue",
      "pattern",
    ],
    [
      "a value over the field maxLength",
      { CustomFields: [field("department", "replace", "engineering")] },
      "InvalidParameter.CustomFields.FieldValue",
      "10",
    ],
    [
      "the same field twice",
      { CustomFields: [field("nick_name", "add", "a"), field("nick_name", "replace", "b")] },
      "InvalidParameter.CustomFields.FieldName",
      "CustomFields.2",
    ],
    [
      "a valid change next to an invalid one",
      { Username: "alice.new", CustomFields: [field("department", "replace", "x".repeat(11))] },
      "InvalidParameter.CustomFields.FieldValue",
      "department",
    ],
  ];

  it.each(cases)("%s", async (_name, params, code, messagePart) => {
    const before = emulator.state.getUser(ALICE);
    const error = await updateError(params);
    expect(error.code).toBe(code);
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain(messagePart);
    expect(emulator.state.getUser(ALICE)).toEqual(before);
  });

  it("names the missing required parameters", async () => {
    const noUser = await callEiamError(client, "UpdateUser", { InstanceId: INSTANCE_ID, DisplayName: "x" });
    expect(noUser.code).toBe("MissingParameter.UserId");
    expect(noUser.message).toContain('"UserId"');
    const noInstance = await callEiamError(client, "UpdateUser", { UserId: ALICE });
    expect(noInstance.code).toBe("MissingParameter.InstanceId");
  });

  it("accepts the boundary lengths: a 256-character Username and a 128-character DisplayName", async () => {
    await update({ Username: "u".repeat(256), DisplayName: "显".repeat(128) });
    expect(emulator.state.getUser(ALICE)?.username).toHaveLength(256);
    expect(emulator.state.getUser(ALICE)?.displayName).toBe("显".repeat(128));
  });
});

describe("UpdateUser effects", () => {
  it("applies every field and bumps UpdateTime", async () => {
    const before = emulator.state.getUser(ALICE)!;
    const result = await update({
      Username: "alice.liddell@corp-1",
      DisplayName: "Alice Liddell",
      PhoneRegion: "1",
      PhoneNumber: "4155550100",
      PhoneNumberVerified: false,
      Email: "a.liddell_x-y@mail.example.org",
      EmailVerified: true,
    });
    expect(result.statusCode).toBe(200);
    expect(Object.keys(result.body)).toEqual(["RequestId"]);
    const got = await callEiam(client, "GetUser", { InstanceId: INSTANCE_ID, UserId: ALICE });
    expect(got.body.User).toMatchObject({
      Username: "alice.liddell@corp-1",
      DisplayName: "Alice Liddell",
      PhoneRegion: "1",
      PhoneNumber: "4155550100",
      PhoneNumberVerified: false,
      Email: "a.liddell_x-y@mail.example.org",
      EmailVerified: true,
    });
    expect(emulator.state.getUser(ALICE)!.updateTime).toBeGreaterThan(before.updateTime);
  });

  it("leaves fields that are not sent unchanged (patch semantics)", async () => {
    const before = emulator.state.getUser(ALICE)!;
    await update({ DisplayName: "Only The Name" });
    const after = emulator.state.getUser(ALICE)!;
    expect(after).toEqual({ ...before, displayName: "Only The Name", updateTime: after.updateTime });
  });

  it("accepts EmailVerified alone (no Email)", async () => {
    await update({ EmailVerified: false });
    expect(emulator.state.getUser(ALICE)?.emailVerified).toBe(false);
  });

  it("succeeds without changing anything (and keeps UpdateTime) when the values are already there", async () => {
    const before = emulator.state.getUser(ALICE)!;
    const result = await update({
      Username: "alice",
      DisplayName: "Alice",
      Email: "alice@example.com",
      EmailVerified: true,
    });
    expect(result.statusCode).toBe(200);
    expect(emulator.state.getUser(ALICE)).toEqual(before);
  });

  it("answers EntityNotExists.User 404 for an unknown user", async () => {
    const error = await callEiamError(client, "UpdateUser", {
      InstanceId: INSTANCE_ID,
      UserId: "user_nobody000000000000000000000",
      DisplayName: "x",
    });
    expect(error.code).toBe("EntityNotExists.User");
    expect(error.statusCode).toBe(404);
  });

  it("answers EntityNotExists.Instance 404 for an unknown instance", async () => {
    const error = await callEiamError(client, "UpdateUser", { InstanceId: "idaas_other", UserId: ALICE });
    expect(error.code).toBe("EntityNotExists.Instance");
    expect(error.statusCode).toBe(404);
  });

  it.each([
    ["Username", { Username: "bob" }, "ResourceDuplicated.Username"],
    ["Username differing only in case", { Username: "BOB" }, "ResourceDuplicated.Username"],
    ["Email", { Email: "bob@example.com", EmailVerified: true }, "ResourceDuplicated.Email"],
    [
      "phone",
      { PhoneRegion: "86", PhoneNumber: "13800000002", PhoneNumberVerified: true },
      "ResourceDuplicated.PhoneNumber",
    ],
  ])("answers 403 when another user already has the %s", async (_name, params, code) => {
    const before = emulator.state.getUser(ALICE);
    const error = await updateError(params);
    expect(error.code).toBe(code);
    expect(error.statusCode).toBe(403);
    expect(emulator.state.getUser(ALICE)).toEqual(before);
  });
});

describe("UpdateUser custom fields", () => {
  const fieldsOf = () => emulator.state.getUser(ALICE)?.customFields;

  it("add sets a field that has no value", async () => {
    await update({ CustomFields: [field("nick_name", "add", "Al")] });
    expect(fieldsOf()).toEqual({ department: "eng", nick_name: "Al" });
  });

  it("add on a field that already has a value answers ResourceDuplicated.CustomFieldValue 403", async () => {
    const error = await updateError({ CustomFields: [field("department", "add", "ops")] });
    expect(error.code).toBe("ResourceDuplicated.CustomFieldValue");
    expect(error.statusCode).toBe(403);
    expect(fieldsOf()).toEqual({ department: "eng" });
  });

  it("replace changes an existing value and adds an absent one", async () => {
    await update({
      CustomFields: [field("department", "replace", "ops"), field("employee_number", "replace", "42")],
    });
    expect(fieldsOf()).toEqual({ department: "ops", employee_number: "42" });
  });

  it("remove deletes the value, and removing an absent value is a no-op", async () => {
    await update({ CustomFields: [field("department", "remove"), field("nick_name", "remove")] });
    expect(fieldsOf()).toEqual({});
    const got = await callEiam(client, "GetUser", { InstanceId: INSTANCE_ID, UserId: ALICE });
    expect((got.body.User as { CustomFields: unknown[] }).CustomFields).toEqual([]);
  });

  it("GetUser reports custom fields as [{FieldName, FieldValue}]", async () => {
    await update({ CustomFields: [field("nick_name", "replace", "A (1)")] });
    const got = await callEiam(client, "GetUser", { InstanceId: INSTANCE_ID, UserId: ALICE });
    expect((got.body.User as { CustomFields: unknown[] }).CustomFields).toEqual([
      { FieldName: "department", FieldValue: "eng" },
      { FieldName: "nick_name", FieldValue: "A (1)" },
    ]);
  });
});
