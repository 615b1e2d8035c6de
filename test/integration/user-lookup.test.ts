/**
 * User lookup: every key but userId is resolved with ListUsers through the real client against the emulator,
 * paging through results and matching exactly on our side; answers are cached for a while.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import { type EiamEmulator, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import { EiamClient } from "../../shared/eiam/client.ts";
import { UserResolutionError, UserResolver } from "../../shared/resolve/user-resolver.ts";

let eiam: EiamEmulator;
let client: EiamClient;

const bulk = Array.from({ length: 150 }, (_, i) => ({
  userId: `user_bulk${String(i).padStart(22, "0")}`,
  username: `bulk${String(i).padStart(3, "0")}`,
}));

beforeAll(async () => {
  eiam = await startEiamEmulator({
    instanceIds: [DEMO_INSTANCE_ID],
    credentials: [DEMO_CREDENTIALS],
    users: [
      { userId: "user_li000000000000000000000000", username: "li", email: "li@example.com" },
      {
        userId: "user_lisi0000000000000000000000",
        username: "li.si",
        email: "Li.Si@Example.com",
        phoneRegion: "86",
        phoneNumber: "15612340000",
        userExternalId: "hr-1002",
        userSourceType: "build_in",
        userSourceId: DEMO_INSTANCE_ID,
      },
      {
        userId: "user_ext1000000000000000000000",
        username: "ext.a",
        userExternalId: "E-7",
        userSourceType: "ldap",
        userSourceId: "ldap-1",
      },
      {
        userId: "user_ext2000000000000000000000",
        username: "ext.b",
        userExternalId: "E-7",
        userSourceType: "ad",
        userSourceId: "ad-1",
      },
      ...bulk,
      { userId: "user_bulkexact0000000000000000", username: "bulk" },
    ],
  });
  client = new EiamClient(
    {
      endpoint: eiam.endpoint,
      protocol: "http",
      instanceId: DEMO_INSTANCE_ID,
      readTimeoutMs: 5000,
      connectTimeoutMs: 2000,
    },
    DEMO_CREDENTIALS,
  );
});

afterAll(async () => {
  await eiam.close();
});

function resolver(ttlMs = 60_000, now = () => Date.now()) {
  return new UserResolver((filter, page) => client.listUsers(filter, page), ttlMs, now);
}

function listCalls(): number {
  return eiam.state.requestLog.filter((e) => e.action === "ListUsers").length;
}

describe("UserResolver against the emulator", () => {
  it.each([
    ["userId, taken as given", { userId: "user_anything" }, "user_anything"],
    ["email, case-insensitive", { email: "li.si@example.com" }, "user_lisi0000000000000000000000"],
    ["phone", { phone: { region: "86", number: "15612340000" } }, "user_lisi0000000000000000000000"],
    ["username, exact among prefix matches", { username: "li" }, "user_li000000000000000000000000"],
    [
      "externalId with its source",
      { externalId: { id: "E-7", sourceType: "ldap", sourceId: "ldap-1" } },
      "user_ext1000000000000000000000",
    ],
    ["externalId alone", { externalId: { id: "hr-1002" } }, "user_lisi0000000000000000000000"],
    [
      "username past the first page of prefix matches",
      { username: "bulk" },
      "user_bulkexact0000000000000000",
    ],
  ])("resolves by %s", async (_label, key, expected) => {
    expect(await resolver().resolve(key)).toBe(expected);
  });

  it.each([
    ["an email nobody has", { email: "nobody@example.com" }, "UserNotFound"],
    ["a username that is only a prefix of others", { username: "bul" }, "UserNotFound"],
    ["an externalId two sources share", { externalId: { id: "E-7" } }, "AmbiguousUser"],
  ])("answers %s with a permanent error", async (_label, key, code) => {
    const err = await resolver()
      .resolve(key)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserResolutionError);
    expect((err as UserResolutionError).code).toBe(code);
  });

  it("pages through prefix results (100 per page)", async () => {
    const before = listCalls();
    await resolver().resolve({ username: "bulk149" });
    const calls = eiam.state.requestLog.filter((e) => e.action === "ListUsers").slice(before);
    expect(calls.map((c) => c.params.PageNumber)).toEqual(["1"]);
    const pagesBefore = listCalls();
    await resolver().resolve({ username: "bulk" });
    const pages = eiam.state.requestLog.filter((e) => e.action === "ListUsers").slice(pagesBefore);
    expect(pages.map((c) => [c.params.PageNumber, c.params.PageSize])).toEqual([
      ["1", "100"],
      ["2", "100"],
    ]);
  });

  it("caches answers for the TTL, then asks again", async () => {
    let now = 1_000_000;
    const r = resolver(1000, () => now);
    const before = listCalls();
    await r.resolve({ email: "li@example.com" });
    await r.resolve({ email: "li@example.com" });
    expect(listCalls() - before).toBe(1);
    now += 1001;
    await r.resolve({ email: "li@example.com" });
    expect(listCalls() - before).toBe(2);
  });
});
