/**
 * The SCIM reads on the real EIAM client against the emulator: filters matched exactly on our side, EIAM paging
 * mapped to startIndex/count, custom fields rendered as the enterprise extension, every call paced by the quota.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import { EiamClient } from "../../shared/eiam/client.ts";
import type { EventOutcome } from "../../shared/pipeline/outcome.ts";
import { createMemoryBucket, type MemoryBucket } from "../../shared/rate-limit/memory-bucket.ts";
import { EiamScimBackend } from "../../shared/scim/eiam-backend.ts";
import { handleScimRequest, type ScimIntent, type ScimRequest } from "../../shared/scim/index.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { expectScimError, expectScimList, expectScimUser } from "../helpers/scim-schema.ts";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const LI_SI = "user_lisi0000000000000000000000";
const bulk = Array.from({ length: 150 }, (_, i) => ({
  userId: `user_bulk${String(i).padStart(22, "0")}`,
  username: `bulk${String(i).padStart(3, "0")}`,
}));

let eiam: EiamEmulator;
let client: EiamClient;
let limiter: MemoryBucket;
let acquired = 0;
let applied: ScimIntent[] = [];

beforeAll(async () => {
  eiam = await startDemoEiam({
    users: [
      { userId: "user_li000000000000000000000000", username: "li", email: "li@example.com" },
      {
        userId: LI_SI,
        username: "li.si",
        displayName: "Li Si",
        email: "Li.Si@Example.com",
        phoneRegion: "86",
        phoneNumber: "15612340000",
        userExternalId: "hr-1002",
        customFields: { employee_number: "E-1002", cost_center: "CC-42" },
      },
      ...bulk,
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

beforeEach(() => {
  eiam.state.requestLog.length = 0;
  acquired = 0;
  applied = [];
  limiter = createMemoryBucket({ ratePerSecond: 1000, burst: 1000 });
});

function backend(): EiamScimBackend {
  const counted = {
    acquire: (deadlineMs: number) => {
      acquired += 1;
      return limiter.acquire(deadlineMs);
    },
    onThrottled: (now: number) => limiter.onThrottled(now),
    close: () => limiter.close(),
  };
  return new EiamScimBackend({
    eiam: client,
    limiter: counted,
    deadlineMs: Date.now() + 10_000,
    apply: async (intent): Promise<EventOutcome> => {
      applied.push(intent);
      return { status: "noop", deliveryId: intent.eventId, eventId: intent.eventId, userId: LI_SI };
    },
  });
}

let n = 0;
async function scim(method: string, path: string, query: Record<string, string> = {}, json?: unknown) {
  n += 1;
  const request: ScimRequest = {
    method,
    path,
    query,
    headers: {},
    body: Buffer.from(json === undefined ? "" : JSON.stringify(json)),
    receivedAt: Date.now(),
    deliveryId: `fc-${n}`,
  };
  const response = await handleScimRequest(request, backend(), { baseUrl: "http://127.0.0.1/scim/v2" });
  return { response, body: response.body === "" ? undefined : JSON.parse(response.body) };
}

function eiamCalls(): string[] {
  return eiam.state.requestLog.map((entry) => entry.action ?? "");
}

describe("EiamScimBackend against the EIAM emulator", () => {
  it("matches userName exactly although EIAM filters it by prefix, and renders custom fields", async () => {
    const { response, body } = await scim("GET", "/Users", { filter: 'userName eq "li.si"' });
    expect(response.statusCode).toBe(200);
    const list = expectScimList(body);
    expect(list.totalResults).toBe(1);
    const user = expectScimUser(list.Resources[0]);
    expect(user).toMatchObject({
      id: LI_SI,
      userName: "li.si",
      externalId: "hr-1002",
      active: true,
      emails: [{ value: "Li.Si@Example.com", type: "work", primary: true }],
      phoneNumbers: [{ value: "+8615612340000" }],
      [ENTERPRISE]: { employeeNumber: "E-1002", costCenter: "CC-42" },
    });
    expect(eiamCalls()).toEqual(["ListUsers", "GetUser"]);
    expect(acquired).toBe(2);
    const prefix = expectScimList((await scim("GET", "/Users", { filter: 'userName eq "li"' })).body);
    expect(prefix.Resources.map((r) => r.id)).toEqual(["user_li000000000000000000000000"]);
  });

  it("matches email case-insensitively, externalId, id, and all of them joined by and", async () => {
    for (const [filter, total] of [
      ['emails[type eq "work"].value eq "li.si@example.com"', 1],
      ['externalId eq "hr-1002"', 1],
      [`id eq "${LI_SI}"`, 1],
      [`id eq "${LI_SI}" and userName eq "li"`, 0],
      ['externalId eq "hr-1002" and emails.value eq "li@example.com"', 0],
      ['userName eq "2d1a0f3e-6d0c-4e2c-bd8a-7e6f0d3c9a11"', 0],
    ] as const) {
      expect(expectScimList((await scim("GET", "/Users", { filter })).body).totalResults, filter).toBe(total);
    }
  });

  it("lists without a filter through EIAM's paging, across a page boundary", async () => {
    const test = expectScimList((await scim("GET", "/Users", { startIndex: "1", count: "2" })).body);
    expect(test.totalResults).toBe(152);
    expect(test.Resources).toHaveLength(2);
    eiam.state.requestLog.length = 0;
    const page = expectScimList((await scim("GET", "/Users", { startIndex: "99", count: "3" })).body);
    expect(page.Resources.map((r) => r.userName)).toEqual(["bulk096", "bulk097", "bulk098"]);
    expect(eiamCalls()).toEqual(["ListUsers", "ListUsers"]);
    const across = expectScimList((await scim("GET", "/Users", { startIndex: "101", count: "3" })).body);
    expect(across.Resources.map((r) => r.userName)).toEqual(["bulk098", "bulk099", "bulk100"]);
    for (const resource of [...page.Resources, ...across.Resources]) expectScimUser(resource);
  });

  it("answers the reads of Entra ID's documented sequence (test connection, match) from EIAM", async () => {
    const fixture = JSON.parse(
      readFileSync(new URL("../fixtures/scim/entra-id.json", import.meta.url), "utf8"),
    );
    const reads = (
      fixture.steps as Array<{
        method: string;
        path: string;
        query?: Record<string, string>;
        expect: { status: number; totalResults?: number };
      }>
    ).filter((step) => step.method === "GET");
    expect(reads.length).toBeGreaterThanOrEqual(4);
    for (const step of reads) {
      const { response, body } = await scim("GET", step.path, step.query ?? {});
      expect(response.statusCode, step.path).toBe(step.expect.status);
      const list = expectScimList(body);
      expect(list.totalResults, JSON.stringify(step.query)).toBe(step.expect.totalResults);
      for (const resource of list.Resources) expect(expectScimUser(resource).id).toBe(LI_SI);
    }
  });

  it("answers 404 for an unknown id, and never sends an id that cannot be one", async () => {
    expect((await scim("GET", "/Users/user_nobody00000000000000000000")).response.statusCode).toBe(404);
    expect(eiamCalls()).toEqual(["GetUser"]);
    eiam.state.requestLog.length = 0;
    const odd = await scim("GET", `/Users/${encodeURIComponent("x y&Action=DeleteUser")}`);
    expect(odd.response.statusCode).toBe(404);
    expect(eiamCalls()).toEqual([]);
  });

  it("answers EIAM's throttling as 429 with Retry-After and slows the limiter down", async () => {
    eiam.state.setFaults({ failNext: [{ kind: "throttle", count: 1 }] });
    const before = limiter.effectiveRatePerSecond(Date.now());
    const { response, body } = await scim("GET", `/Users/${LI_SI}`);
    expect(response.statusCode).toBe(429);
    expect(response.headers["retry-after"]).toBe("30");
    expect(expectScimError(body).detail).toMatch(/Throttling\.User/);
    expect(limiter.effectiveRatePerSecond(Date.now())).toBeLessThan(before);
  });

  it("a PATCH reads the user, hands the intent to apply, and answers the user read again", async () => {
    const { response, body } = await scim(
      "PATCH",
      `/Users/${LI_SI}`,
      {},
      {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "Replace", path: 'emails[type eq "work"].value', value: "li.si@example.com" }],
      },
    );
    expect(response.statusCode).toBe(200);
    expect(applied.map((i) => i.changes)).toEqual([{ email: "li.si@example.com" }]);
    expect(expectScimUser(body).id).toBe(LI_SI);
    expect(eiamCalls()).toEqual(["GetUser", "GetUser"]);
  });
});
