/**
 * Real senders at the door, end to end on the local cloud (local/stack.ts) with the shipped routes file
 * (examples/senders.json): Feishu (challenge, then signed, encrypted events, acknowledged by the source queue and
 * applied from it), BambooHR (signed), a CloudEvents pipeline (the official `cloudevents` SDK's binary,
 * structured and batch outputs, signed with Standard Webhooks) and SCIM (bearer), side by side.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { CloudEvent, HTTP } from "cloudevents";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS } from "../../local/demo-data.ts";
import { createMnsClient } from "../../local/fc-host/mns-client.ts";
import { MnsQueuePoller } from "../../local/fc-host/mns-queue-poller.ts";
import { LOCAL_REGION, type LocalStack, STACK_NAMES, startLocalStack } from "../../local/stack.ts";
import { feishuEncrypt, feishuHeaders, feishuUserUpdated } from "../helpers/feishu-sender.ts";

const ZHANG = "user_d6sbsuumeta4h66ec3il7yxxxx"; // external id hr-1001
const LI = "user_li4si0000000000000000000";
const ADA = "user_ada0000000000000000000000"; // BambooHR employee 123

const SECRETS = {
  FEISHU_ENCRYPT_KEY: `fk-${randomBytes(12).toString("hex")}`,
  FEISHU_VERIFICATION_TOKEN: `ft-${randomBytes(12).toString("hex")}`,
  BAMBOOHR_WEBHOOK_KEYS: `bk-${randomBytes(12).toString("hex")}`,
  WEBHOOK_SECRETS: `whsec_${randomBytes(32).toString("base64")}`,
  SCIM_BEARER_TOKENS: `old-${randomBytes(8).toString("hex")},new-${randomBytes(8).toString("hex")}`,
  OKTA_HOOK_AUTHORIZATION: `okta-${randomBytes(12).toString("hex")}`,
};

// biome-ignore lint/suspicious/noExplicitAny: answers and records are read as loose JSON in assertions
type Loose = Record<string, any>;

let stack: LocalStack;
let url: string;

async function send(path: string, body: string, headers: Record<string, string>, method = "POST") {
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(method === "GET" || method === "HEAD" ? {} : { body }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    json: text ? (JSON.parse(text) as Loose) : {},
  };
}

async function until<T>(what: string, read: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const updateUserCalls = () =>
  stack.eiam.state.requestLog.filter((entry) => entry.action === "UpdateUser").length;

beforeAll(async () => {
  stack = await startLocalStack({
    functionEnv: {
      SENDERS_FILE: new URL("../../examples/senders.json", import.meta.url).pathname,
      HR_MAPPING_FILE: [
        "feishu-contact-user-updated-v3",
        "feishu-contact-user-deleted-v3",
        "bamboohr-employee",
        "okta-event-hook",
      ]
        .map((name) => new URL(`../../examples/mappings/${name}.json`, import.meta.url).pathname)
        .join(","),
      EIAM_RETRY_BASE_MS: "5",
      EIAM_RETRY_MAX_MS: "20",
      ...SECRETS,
    },
    // The queue trigger is started by the test, so that "answered before EIAM is called" can be seen.
    trigger: { enabled: false },
  });
  url = stack.fcHost.httpTriggerUrl.replace(/\/$/, "");
});

afterAll(async () => {
  await stack?.close();
});

/** The queue trigger of the source queue, started by a test once it has seen the answer. */
function startSourceQueueTrigger(): MnsQueuePoller {
  const client = createMnsClient({
    accountId: stack.mns.accountId,
    endpoint: stack.mns.url,
    credentials: DEMO_CREDENTIALS,
  });
  const poller = new MnsQueuePoller({
    client,
    source: {
      accountId: stack.mns.accountId,
      region: LOCAL_REGION,
      queue: STACK_NAMES.sourceQueue,
      functionName: STACK_NAMES.functionName,
      triggerName: STACK_NAMES.triggerName,
    },
    invoke: (invocation) => stack.fcHost.run(invocation),
    batchWindowSeconds: 0.1,
    pollWaitSeconds: 1,
  });
  poller.start();
  return poller;
}

describe("Feishu (enqueue route)", () => {
  const key = SECRETS.FEISHU_ENCRYPT_KEY;
  const token = SECRETS.FEISHU_VERIFICATION_TOKEN;

  it("answers the encrypted url_verification challenge, and refuses a wrong token", async () => {
    const challenge = { challenge: "ajls384kdjx98XX", token, type: "url_verification" };
    const body = JSON.stringify({ encrypt: feishuEncrypt(JSON.stringify(challenge), key) });
    const res = await send("/hooks/feishu", body, { "content-type": "application/json" });
    expect([res.status, res.json]).toEqual([200, { challenge: "ajls384kdjx98XX" }]);

    const forged = JSON.stringify({
      encrypt: feishuEncrypt(JSON.stringify({ ...challenge, token: "x" }), key),
    });
    const refused = await send("/hooks/feishu", forged, { "content-type": "application/json" });
    expect(refused.status).toBe(401);
    expect(refused.text).not.toContain("ajls384kdjx98XX");
  });

  it("acknowledges a signed, encrypted event with 202 before EIAM is called, then applies it from the queue once", async () => {
    const eventId = randomUUID().replace(/-/g, "");
    const event = JSON.stringify(feishuUserUpdated(token, "hr-1001", "张三 (Feishu)", eventId));
    const body = JSON.stringify({ encrypt: feishuEncrypt(event, key) });
    const headers = { "content-type": "application/json", ...feishuHeaders(body, key) };
    const before = updateUserCalls();

    const res = await send("/hooks/feishu", body, headers);
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: "accepted", events: 1 });
    expect(updateUserCalls()).toBe(before);
    // The queued message holds the decrypted event and the route's traits, never the signature or a secret.
    const queued = stack.mns.state.queueMessages(STACK_NAMES.sourceQueue).map((m) => m.body);
    expect(queued).toHaveLength(1);
    const message = JSON.parse(queued[0]!) as Loose;
    expect(message).toMatchObject({
      kind: "eiam-user-sync.accepted-delivery",
      deliveryId: res.json.deliveryId,
      route: { path: "/hooks/feishu", format: "mapped", mappingName: "feishu-contact-user-*" },
      http: { method: "POST", path: "/hooks/feishu" },
    });
    expect(Buffer.from(message.body, "base64").toString()).toBe(event);
    expect(Object.keys(message.headers)).not.toContain("x-lark-signature");
    expect(queued[0]).not.toContain(key);
    expect(queued[0]).not.toContain(headers["x-lark-signature"]);
    // Feishu delivers again when unsure: accepted again, applied once.
    expect((await send("/hooks/feishu", body, headers)).status).toBe(202);

    const poller = startSourceQueueTrigger();
    try {
      await until("the Feishu change in EIAM", () =>
        stack.eiam.state.getUser(ZHANG)?.displayName === "张三 (Feishu)" ? true : undefined,
      );
      await until("both queue messages handled", () => (poller.stats.deleted >= 2 ? true : undefined));
    } finally {
      await poller.stop();
    }
    expect(updateUserCalls()).toBe(before + 1);
  });

  it("takes contact.user.deleted_v3 on the same URL (one URL for every Feishu event): the leaver is disabled", async () => {
    const leaver = {
      schema: "2.0",
      header: {
        event_id: randomUUID().replace(/-/g, ""),
        event_type: "contact.user.deleted_v3",
        create_time: String(Date.now()),
        token,
        app_id: "cli_9f5343c580712544",
        tenant_key: "2ca1d211f64f6438",
      },
      event: { object: { user_id: "hr-1001", name: "张三" } },
    };
    const body = JSON.stringify({ encrypt: feishuEncrypt(JSON.stringify(leaver), key) });
    const res = await send("/hooks/feishu", body, {
      "content-type": "application/json",
      ...feishuHeaders(body, key),
    });
    expect(res.status).toBe(202);
    const poller = startSourceQueueTrigger();
    try {
      await until("the leaver disabled in EIAM", () =>
        stack.eiam.state.getUser(ZHANG)?.status === "disabled" ? true : undefined,
      );
    } finally {
      await poller.stop();
    }
    const disables = stack.eiam.state.requestLog.filter((e) => e.action === "DisableUser");
    expect(disables.map((e) => e.params.UserId)).toEqual([ZHANG]);
  });

  it("refuses a bad signature with 401, without dead-lettering or echoing anything", async () => {
    const body = JSON.stringify({
      encrypt: feishuEncrypt(JSON.stringify(feishuUserUpdated(token, "hr-1001", "X", "e")), key),
    });
    const res = await send("/hooks/feishu", body, {
      "content-type": "application/json",
      ...feishuHeaders(body, "nope"),
    });
    expect([res.status, res.json.error?.code]).toEqual([401, "signature_mismatch"]);
    expect(res.text).not.toContain(key);
  });
});

describe("BambooHR (sync route)", () => {
  it("applies a signed field-based webhook (HMAC of the body followed by the timestamp)", async () => {
    const body = JSON.stringify({
      employees: [
        {
          id: "123",
          timestamp: new Date().toISOString(),
          changedFields: ["firstName", "lastName"],
          fields: { firstName: "Ada", lastName: "Lovelace" },
        },
      ],
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac("sha256", SECRETS.BAMBOOHR_WEBHOOK_KEYS)
      .update(body + timestamp)
      .digest("hex");
    const res = await send("/hooks/bamboohr", body, {
      "content-type": "application/json",
      "x-bamboohr-signature": signature,
      "x-bamboohr-timestamp": timestamp,
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: "applied", userId: ADA });
    expect(stack.eiam.state.getUser(ADA)?.displayName).toBe("Ada Lovelace");
  });

  it("answers 405 with Allow to a GET, and 404 to an unknown hook", async () => {
    const get = await send("/hooks/bamboohr", "", {}, "GET");
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
    const unknown = await send("/hooks/workday", "{}", { "content-type": "application/json" });
    expect(unknown.status).toBe(404);
    expect(unknown.text).not.toContain("bamboohr");
  });
});

describe("CloudEvents pipeline (the official cloudevents SDK, signed with Standard Webhooks)", () => {
  const webhook = new Webhook(SECRETS.WEBHOOK_SECRETS);
  const signed = (message: { headers: Record<string, unknown>; body: unknown }) => {
    const body = String(message.body);
    const id = `msg_${randomUUID()}`;
    const headers: Record<string, string> = Object.fromEntries(
      Object.entries(message.headers).map(([k, v]) => [k, String(v)]),
    );
    return {
      body,
      headers: <Record<string, string>>{
        ...headers,
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
        "webhook-signature": webhook.sign(id, new Date(), body),
      },
    };
  };
  const change = (userId: string, displayName: string) =>
    new CloudEvent({
      type: "com.example.user.changed",
      source: "/hr/pipeline",
      data: { user: { userId }, changes: { displayName } },
    });

  it("applies binary mode (ce-* headers, data as the body), the SDK's default", async () => {
    const { body, headers } = signed(HTTP.binary(change(LI, "Li Si (binary)")));
    expect(headers["ce-specversion"]).toBe("1.0");
    const res = await send("/events", body, headers);
    expect([res.status, res.json.status]).toEqual([200, "applied"]);
    expect(stack.eiam.state.getUser(LI)?.displayName).toBe("Li Si (binary)");
  });

  it("applies structured mode", async () => {
    const { body, headers } = signed(HTTP.structured(change(LI, "Li Si (structured)")));
    const res = await send("/events", body, headers);
    expect([res.status, res.json.status]).toEqual([200, "applied"]);
    expect(stack.eiam.state.getUser(LI)?.displayName).toBe("Li Si (structured)");
  });

  it("applies batched mode, which the SDK itself reads back as a batch", async () => {
    const events = [change(LI, "Li Si (batch 1)"), change(ZHANG, "Zhang San (batch)")];
    const message = {
      headers: { "content-type": "application/cloudevents-batch+json; charset=utf-8" },
      body: JSON.stringify(events.map((event) => event.toJSON())),
    };
    expect(HTTP.toEvent(message)).toHaveLength(2);
    const { body, headers } = signed(message);
    const res = await send("/events", body, headers);
    expect(res.status).toBe(200);
    expect(res.json.results.map((r: { status: string }) => r.status)).toEqual(["applied", "applied"]);
    expect(stack.eiam.state.getUser(ZHANG)?.displayName).toBe("Zhang San (batch)");
  });

  it("refuses a CloudEvent without time with a 400 that names time", async () => {
    const message = HTTP.binary(change(LI, "Never Applied"));
    const { "ce-time": _time, ...headers } = message.headers as Record<string, string>;
    const { body, headers: signedHeaders } = signed({ headers, body: message.body });
    const res = await send("/events", body, signedHeaders);
    expect(res.status).toBe(400);
    expect(res.json.error.problems).toEqual([expect.objectContaining({ path: "time", code: "required" })]);
    expect(stack.eiam.state.getUser(LI)?.displayName).not.toBe("Never Applied");
    // Its dead letter keeps the body and the allow-listed headers, not the signature.
    const record = await until("the dead letter", () =>
      stack.mns.state
        .topicMessages(STACK_NAMES.deadLetterTopic)
        .map((m) => JSON.parse(m.body) as Loose)
        .find((r) => r.delivery?.original?.body === body),
    );
    const kept = Object.keys(record.delivery.original.headers);
    expect(kept).toEqual(expect.arrayContaining(["ce-id", "ce-specversion", "webhook-id", "content-type"]));
    expect(kept).not.toContain("webhook-signature");
  });
});

describe("Okta Event Hooks (okta-event-hook route)", () => {
  const authorization = SECRETS.OKTA_HOOK_AUTHORIZATION;
  const GRACE = "user_grace000000000000000000000";
  /** An event hook delivery as Okta's docs show it: a CloudEvents-like envelope around System Log events. */
  const hook = (eventType: string, login: string) =>
    JSON.stringify({
      eventType: "com.okta.event_hook",
      eventTypeVersion: "1.0",
      cloudEventsVersion: "0.1",
      source: "https://example.okta.com/api/v1/eventHooks/whoql0HfiLGPWc8Jx0g3",
      eventId: randomUUID(),
      eventTime: new Date().toISOString(),
      contentType: "application/json",
      data: {
        events: [
          {
            uuid: randomUUID(),
            published: new Date().toISOString(),
            eventType,
            target: [{ id: "00u1", type: "User", alternateId: login, displayName: "Grace" }],
          },
        ],
      },
    });

  it("answers the one-time verification GET with the challenge", async () => {
    const res = await send("/hooks/okta", "", { "x-okta-verification-challenge": "x5ZKA0RNTBzYdY2F" }, "GET");
    expect([res.status, res.json]).toEqual([200, { verification: "x5ZKA0RNTBzYdY2F" }]);
  });

  it("disables the user of a deactivation, found by the target's login, and enables a reactivated one", async () => {
    const headers = { "content-type": "application/json", authorization };
    const off = await send("/hooks/okta", hook("user.lifecycle.deactivate", "grace"), headers);
    expect(off.status).toBe(200);
    expect(stack.eiam.state.getUser(GRACE)?.status).toBe("disabled");
    const on = await send("/hooks/okta", hook("user.lifecycle.reactivate", "grace"), headers);
    expect(on.status).toBe(200);
    expect(stack.eiam.state.getUser(GRACE)?.status).toBe("enabled");
  });

  it("refuses a delivery without Okta's Authorization value", async () => {
    const res = await send("/hooks/okta", hook("user.lifecycle.deactivate", "grace"), {
      "content-type": "application/json",
      authorization: "guess",
    });
    expect(res.status).toBe(401);
    expect(stack.eiam.state.getUser(GRACE)?.status).toBe("enabled");
  });
});

describe("SCIM (bearer, every method the route names)", () => {
  const [oldToken, newToken] = SECRETS.SCIM_BEARER_TOKENS.split(",");
  const patch = (displayName: string) =>
    JSON.stringify({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "displayName", value: displayName }],
    });

  it("applies a PATCH with either token of a rotation", async () => {
    for (const [token, name] of [
      [oldToken, "Li Si (old token)"],
      [newToken, "Li Si (new token)"],
    ] as const) {
      const res = await send(
        `/scim/v2/Users/${LI}`,
        patch(name),
        {
          "content-type": "application/scim+json",
          authorization: `Bearer ${token}`,
        },
        "PATCH",
      );
      // Served by the SCIM service: the User as EIAM holds it after the change.
      expect([res.status, res.json.displayName]).toEqual([200, name]);
      expect(stack.eiam.state.getUser(LI)?.displayName).toBe(name);
    }
  });

  it("refuses a wrong token with 401 in SCIM form and no trace in the dead letters", async () => {
    const res = await send(
      `/scim/v2/Users/${LI}`,
      patch("Intruder"),
      { authorization: "Bearer guess" },
      "PATCH",
    );
    expect([res.status, res.headers.get("content-type"), res.json]).toEqual([
      401,
      "application/scim+json; charset=utf-8",
      {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: "401",
        detail: "authentication required",
      },
    ]);
    expect(stack.eiam.state.getUser(LI)?.displayName).not.toBe("Intruder");
    const deadLetters = stack.mns.state.topicMessages(STACK_NAMES.deadLetterTopic).map((m) => m.body);
    expect(deadLetters.join("\n")).not.toContain("Intruder");
  });
});
