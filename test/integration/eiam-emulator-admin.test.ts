import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EiamEmulator, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import { adminFetch, callEiam, callEiamError, INSTANCE_ID, makeClient } from "./eiam-emulator.support.ts";

const SEEDED = "user_seed0000000000000000000000";

let emulator: EiamEmulator;
const logLines: string[] = [];

beforeAll(async () => {
  emulator = await startEiamEmulator({
    users: [{ userId: SEEDED, username: "seeded" }],
    customFields: [{ fieldName: "nick_name" }],
    log: (line) => logLines.push(line),
  });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.state.reset();
  logLines.length = 0;
});

describe("admin API (/__admin, unsigned JSON)", () => {
  it("reports health", async () => {
    const health = await adminFetch(emulator.url, "GET", "/health");
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ status: "ok", instanceIds: [INSTANCE_ID], users: 1 });
  });

  it("seeds a user with POST /users, lists it, and shows it by id", async () => {
    const created = await adminFetch(emulator.url, "POST", "/users", {
      username: "from.admin",
      email: "from.admin@example.com",
      emailVerified: true,
      customFields: { nick_name: "FA" },
    });
    expect(created.status).toBe(201);
    const userId = created.json.userId as string;
    expect(userId).toMatch(/^user_[a-z0-9]{26}$/);
    const all = await adminFetch(emulator.url, "GET", "/users");
    expect((all.json.users as Array<{ username: string }>).map((user) => user.username)).toEqual([
      "seeded",
      "from.admin",
    ]);
    const one = await adminFetch(emulator.url, "GET", `/users/${userId}`);
    expect(one.json).toMatchObject({ username: "from.admin", customFields: { nick_name: "FA" } });
    const client = makeClient(emulator);
    const got = await callEiam(client, "GetUser", { InstanceId: INSTANCE_ID, UserId: userId });
    expect((got.body.User as { Email: string }).Email).toBe("from.admin@example.com");
  });

  it("answers 404 for an unknown user id and 400 for a bad seed", async () => {
    expect((await adminFetch(emulator.url, "GET", "/users/user_nope")).status).toBe(404);
    const bad = await adminFetch(emulator.url, "POST", "/users", { username: "x", emailVerified: "yes" });
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toContain("emailVerified");
    const undefinedField = await adminFetch(emulator.url, "POST", "/users", {
      username: "y",
      customFields: { shoe: "42" },
    });
    expect(undefinedField.status).toBe(400);
    expect(String(undefinedField.json.error)).toContain("shoe");
    const duplicate = await adminFetch(emulator.url, "POST", "/users", { username: "seeded" });
    expect(duplicate.status).toBe(403);
  });

  it("defines a custom field that UpdateUser then accepts and checks", async () => {
    const defined = await adminFetch(emulator.url, "POST", "/custom-fields", {
      fieldName: "cost_center",
      pattern: "CC-[0-9]{3}",
    });
    expect(defined.status).toBe(201);
    const client = makeClient(emulator);
    const base = { InstanceId: INSTANCE_ID, UserId: SEEDED };
    await callEiam(client, "UpdateUser", {
      ...base,
      CustomFields: [{ FieldName: "cost_center", FieldValue: "CC-123", Operation: "add" }],
    });
    expect(emulator.state.getUser(SEEDED)?.customFields.cost_center).toBe("CC-123");
    const error = await callEiamError(client, "UpdateUser", {
      ...base,
      CustomFields: [{ FieldName: "cost_center", FieldValue: "123", Operation: "replace" }],
    });
    expect(error.code).toBe("InvalidParameter.CustomFields.FieldValue");
  });

  it("reads and clears the request log", async () => {
    const client = makeClient(emulator);
    await callEiam(client, "GetUser", { InstanceId: INSTANCE_ID, UserId: SEEDED });
    const log = await adminFetch(emulator.url, "GET", "/requests");
    const requests = log.json.requests as Array<Record<string, unknown>>;
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      action: "GetUser",
      status: 200,
      accessKeyId: "LTAI_local_demo",
      params: { InstanceId: INSTANCE_ID, UserId: SEEDED },
    });
    expect((await adminFetch(emulator.url, "DELETE", "/requests")).status).toBe(204);
    expect(emulator.state.requestLog).toEqual([]);
  });

  it("gets, replaces (PUT) and patches (PATCH) fault settings, refusing unknown keys", async () => {
    const put = await adminFetch(emulator.url, "PUT", "/faults", {
      latencyMs: 5,
      failNext: [{ kind: "5xx" }],
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ latencyMs: 5, failNext: [{ kind: "5xx", count: 1 }], qpsCap: null });
    const patched = await adminFetch(emulator.url, "PATCH", "/faults", { qpsCap: 10 });
    expect(patched.json).toMatchObject({ latencyMs: 5, qpsCap: 10 });
    const replaced = await adminFetch(emulator.url, "PUT", "/faults", { qpsCap: 3 });
    expect(replaced.json).toMatchObject({ latencyMs: 0, qpsCap: 3, failNext: [] });
    const got = await adminFetch(emulator.url, "GET", "/faults");
    expect(got.json).toEqual(replaced.json);
    const typo = await adminFetch(emulator.url, "PUT", "/faults", { failnext: [] });
    expect(typo.status).toBe(400);
    expect(String(typo.json.error)).toContain("failnext");
  });

  it("resets users, custom fields, faults and the log to the start-up seed", async () => {
    await adminFetch(emulator.url, "POST", "/users", { username: "temporary" });
    await adminFetch(emulator.url, "POST", "/custom-fields", { fieldName: "temporary_field" });
    await adminFetch(emulator.url, "PUT", "/faults", { latencyMs: 50 });
    await callEiam(makeClient(emulator), "UpdateUser", {
      InstanceId: INSTANCE_ID,
      UserId: SEEDED,
      DisplayName: "Changed",
    });
    const reset = await adminFetch(emulator.url, "POST", "/reset");
    expect(reset.status).toBe(200);
    expect(emulator.state.listUsers().map((user) => [user.userId, user.displayName])).toEqual([
      [SEEDED, undefined],
    ]);
    expect(emulator.state.listCustomFields()).toEqual([{ fieldName: "nick_name" }]);
    expect(emulator.state.faults.latencyMs).toBe(0);
    expect(emulator.state.requestLog).toEqual([]);
  });

  it("answers 404 for an unknown admin route", async () => {
    expect((await adminFetch(emulator.url, "GET", "/nothing-here")).status).toBe(404);
  });
});

describe("options", () => {
  it("writes one log line per API request when `log` is set", async () => {
    await callEiamError(makeClient(emulator), "GetUser", { InstanceId: INSTANCE_ID, UserId: "user_none" });
    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toContain("GetUser 404 EntityNotExists.User");
  });

  it("serves the configured instances and credentials only", async () => {
    const custom = await startEiamEmulator({
      instanceIds: ["idaas_one", "idaas_two"],
      credentials: [{ accessKeyId: "AK_custom", accessKeySecret: "custom-secret" }],
      users: [{ userId: "user_two", instanceId: "idaas_two", username: "two" }],
    });
    try {
      expect(custom.url).toBe(`http://${custom.endpoint}`);
      expect(custom.endpoint).toMatch(/^127\.0\.0\.1:[0-9]+$/);
      const client = makeClient(custom, { accessKeyId: "AK_custom", accessKeySecret: "custom-secret" });
      const got = await callEiam(client, "GetUser", { InstanceId: "idaas_two", UserId: "user_two" });
      expect((got.body.User as { Username: string }).Username).toBe("two");
      const wrongInstance = await callEiamError(client, "GetUser", {
        InstanceId: "idaas_one",
        UserId: "user_two",
      });
      expect(wrongInstance.code).toBe("EntityNotExists.User");
      const unknownInstance = await callEiamError(client, "GetUser", {
        InstanceId: INSTANCE_ID,
        UserId: "user_two",
      });
      expect([unknownInstance.code, unknownInstance.statusCode]).toEqual(["EntityNotExists.Instance", 404]);
      const defaultKey = await callEiamError(makeClient(custom), "GetUser", {
        InstanceId: "idaas_two",
        UserId: "user_two",
      });
      expect(defaultKey.code).toBe("InvalidAccessKeyId.NotFound");
    } finally {
      await custom.close();
    }
  });

  it("closes while a request is held by the timeout fault", async () => {
    const held = await startEiamEmulator({ users: [{ userId: SEEDED, username: "seeded" }] });
    held.state.setFaults({ failNext: [{ kind: "timeout", count: 1 }], timeoutHoldMs: 60_000 });
    const pending = callEiamError(
      makeClient(held),
      "GetUser",
      { InstanceId: INSTANCE_ID, UserId: SEEDED },
      { readTimeout: 30_000 },
    );
    while (held.state.requestLog.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await held.close();
    const error = await pending;
    expect(error.code).toBe("ECONNRESET");
  });
});
