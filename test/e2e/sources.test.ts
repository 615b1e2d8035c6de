/**
 * Each kind of source end to end through the FC entry: SCIM and mapped HR webhooks on their routes, a signed
 * webhook, queue messages, lookups by email and external id. The EIAM emulator's final state is checked.
 */
import { createHmac, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEMO_CREDENTIALS,
  DEMO_CUSTOM_FIELDS,
  DEMO_INSTANCE_ID,
  DEMO_ORGANIZATIONAL_UNITS,
  DEMO_USERS,
} from "../../local/demo-data.ts";
import { type EiamEmulator, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import { canonicalEvent, fcContext, httpTriggerEvent, mnsQueueCloudEvents } from "../helpers/fc-events.ts";

type Handler = (event: Buffer, context: unknown) => Promise<Record<string, unknown>>;

const SECRET = Buffer.from("0123456789abcdef0123456789abcdef");
let eiam: EiamEmulator;
let handler: Handler;
const fixture = (path: string) => readFileSync(join("test/fixtures/formats", path), "utf8");

beforeAll(async () => {
  eiam = await startEiamEmulator({
    instanceIds: [DEMO_INSTANCE_ID],
    credentials: [DEMO_CREDENTIALS],
    users: [
      ...DEMO_USERS,
      { userId: "user_zoe00000000000000000000000", username: "zoe.oneil" },
      {
        userId: "user_feishu000000000000000000000",
        username: "lisi.fs",
        userExternalId: "fs-e10045",
        organizationalUnitIds: ["ou_sales000000000000000000000"],
      },
      { userId: "user_alan00000000000000000000000", username: "alan", userExternalId: "125" },
    ],
    customFields: [...DEMO_CUSTOM_FIELDS, { fieldName: "en_name" }],
    organizationalUnits: DEMO_ORGANIZATIONAL_UNITS,
  });
  Object.assign(process.env, {
    EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
    EIAM_ENDPOINT: eiam.endpoint,
    EIAM_PROTOCOL: "http",
    WEBHOOK_AUTH: "standard-webhooks",
    WEBHOOK_SECRETS: `whsec_${SECRET.toString("base64")}`,
    DEAD_LETTER_FILE: join(mkdtempSync(join(tmpdir(), "eiam-sync-sources-")), "dlq.jsonl"),
    HR_MAPPING_FILE:
      "examples/mappings/feishu-contact-user-updated-v3.json,examples/mappings/bamboohr-employee.json",
    LOG_LEVEL: "error",
  });
  ({ handler } = (await import("../../functions/user-sync/index.ts")) as unknown as { handler: Handler });
});

afterAll(async () => {
  await eiam.close();
});

/** Signs like a Standard Webhooks sender: HMAC-SHA256 over `${id}.${timestamp}.${body}`. */
function signed(body: string, extra: Record<string, string> = {}) {
  const id = `msg_${randomUUID()}`;
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = createHmac("sha256", SECRET).update(`${id}.${ts}.${body}`).digest("base64");
  return { "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": `v1,${sig}`, ...extra };
}

async function webhook(path: string, body: string, contentType = "application/json") {
  const res = await handler(
    httpTriggerEvent(body, { path, headers: signed(body, { "content-type": contentType }) }),
    fcContext(),
  );
  return {
    status: res.statusCode as number,
    json: JSON.parse(res.body as string) as Record<string, unknown>,
  };
}

describe("sources end to end", () => {
  it("refuses an unsigned webhook with 401 and reaches nothing", async () => {
    const before = eiam.state.requestLog.length;
    const body = JSON.stringify(canonicalEvent());
    const res = await handler(httpTriggerEvent(body), fcContext());
    expect(res.statusCode).toBe(401);
    expect(eiam.state.requestLog.length).toBe(before);
  });

  it("applies a signed canonical webhook whose user is named by email", async () => {
    const body = JSON.stringify(
      canonicalEvent({ user: { email: "LI.SI@example.com" } }, { displayName: "Li Si (by email)" }),
    );
    const res = await webhook("/", body);
    expect(res).toMatchObject({
      status: 200,
      json: { status: "applied", userId: "user_li4si0000000000000000000" },
    });
    expect(eiam.state.getUser("user_li4si0000000000000000000")?.displayName).toBe("Li Si (by email)");
  });

  it("applies a SCIM PatchOp on /scim/v2/Users/{id} (active: false disables), and reports what it cannot apply", async () => {
    const res = await webhook(
      "/scim/v2/Users/user_zoe00000000000000000000000",
      fixture("scim/patch-paths.json"),
      "application/scim+json",
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: "applied", userId: "user_zoe00000000000000000000000" });
    const ignored = (res.json.ignored as Array<{ path: string }>).map((i) => i.path);
    expect(ignored).toEqual(expect.arrayContaining(["title"]));
    expect(ignored).not.toContain("active");
    expect(eiam.state.getUser("user_zoe00000000000000000000000")).toMatchObject({
      status: "disabled",
      username: "zoe.oneil2",
      displayName: "Zoë Q. O'Neil",
      email: "zoe.q@example.com",
      phoneRegion: "86",
      phoneNumber: "13800138001",
      customFields: { employee_number: "E-2002" },
    });
  });

  it("applies a Feishu contact.user.updated_v3 event on /hooks/<mapping>: only what changed", async () => {
    const res = await webhook(
      "/hooks/feishu-contact-user-updated-v3",
      fixture("mapped/feishu-user-updated.json"),
    );
    expect(res.json).toMatchObject({ status: "applied", userId: "user_feishu000000000000000000000" });
    expect(eiam.state.getUser("user_feishu000000000000000000000")).toMatchObject({
      displayName: "李四",
      phoneRegion: "86",
      phoneNumber: "13800138000",
    });
    expect(eiam.state.getUser("user_feishu000000000000000000000")?.email).toBeUndefined();
    // The department change: into Engineering, out of Sales.
    expect(eiam.state.getUser("user_feishu000000000000000000000")?.organizationalUnitIds).not.toContain(
      "ou_sales000000000000000000000",
    );
    expect(eiam.state.getUser("user_feishu000000000000000000000")?.organizationalUnitIds).toContain(
      "ou_engineering000000000000000",
    );
  });

  it("applies a BambooHR webhook with several employees, one event each", async () => {
    const res = await webhook("/hooks/bamboohr-employee", fixture("mapped/bamboohr-employees.json"));
    const results = res.json.results as Array<{ status: string; userId: string }>;
    expect(results.map((r) => [r.userId, r.status])).toEqual([
      ["user_ada0000000000000000000000", "applied"],
      ["user_grace000000000000000000000", "applied"],
    ]);
    expect(eiam.state.getUser("user_ada0000000000000000000000")).toMatchObject({
      displayName: "Ada Lovelace",
      email: "ada.lovelace@example.com",
    });
    expect(eiam.state.getUser("user_grace000000000000000000000")).toMatchObject({
      phoneRegion: "1",
      phoneNumber: "4155550199",
    });
  });

  it("applies queue messages in plain text and Base64, and dead-letters a broken one without failing the batch", async () => {
    const ok = canonicalEvent(
      { user: { userId: "user_d6sbsuumeta4h66ec3il7yxxxx" } },
      { customFields: { nick_name: "q" } },
    );
    const broken = { ...canonicalEvent(), occurredAt: "not a time" };
    const batch = mnsQueueCloudEvents([JSON.stringify(ok), JSON.stringify(broken)], { base64: true });
    const res = (await handler(batch, fcContext())) as {
      results: Array<{ status: string }>;
      summary: Record<string, number>;
    };
    expect(res.results.map((r) => r.status)).toEqual(["applied", "dead_lettered"]);
    expect(res.summary).toMatchObject({ applied: 1, dead_lettered: 1 });
    expect(eiam.state.getUser("user_d6sbsuumeta4h66ec3il7yxxxx")?.customFields.nick_name).toBe("q");
  });
});
