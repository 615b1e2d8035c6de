/**
 * End to end through the FC entry (the middy chain): FC 3.0 HTTP-trigger events in, HTTP answers out,
 * the real @alicloud/openapi-client talking to the EIAM emulator, whose final state we check.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { canonicalEvent, fcContext, httpTriggerEvent } from "../helpers/fc-events.ts";

type Handler = (
  event: Buffer,
  context: unknown,
) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;

let eiam: EiamEmulator;
let handler: Handler;
let deadLetterFile: string;
const logLines: string[] = [];

const ZHANG = "user_d6sbsuumeta4h66ec3il7yxxxx";
const LI = "user_li4si0000000000000000000";

beforeAll(async () => {
  eiam = await startDemoEiam();
  deadLetterFile = join(mkdtempSync(join(tmpdir(), "eiam-sync-e2e-")), "dead-letters.jsonl");
  Object.assign(process.env, {
    EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
    EIAM_ENDPOINT: eiam.endpoint,
    EIAM_PROTOCOL: "http",
    WEBHOOK_AUTH: "none",
    DEAD_LETTER_FILE: deadLetterFile,
    EIAM_RETRY_BASE_MS: "5",
    EIAM_RETRY_MAX_MS: "20",
  });
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk === "string" && chunk.startsWith("{")) logLines.push(chunk);
    return write(chunk, ...rest);
  }) as typeof process.stdout.write;
  ({ handler } = (await import("../../functions/user-sync/index.ts")) as unknown as { handler: Handler });
});

afterAll(async () => {
  await eiam.close();
});

async function post(body: unknown, options: Parameters<typeof httpTriggerEvent>[1] = {}) {
  const res = await handler(httpTriggerEvent(body, options), fcContext());
  return { ...res, json: JSON.parse(res.body) as Record<string, unknown> };
}

function deadLetters(): Array<Record<string, unknown>> {
  try {
    return readFileSync(deadLetterFile, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  } catch {
    return [];
  }
}

describe("HTTP trigger → EIAM", () => {
  it("applies the canonical example to the demo user", async () => {
    const event = canonicalEvent(
      {},
      {
        username: "zhang.san",
        displayName: "Zhang  San\t(Platform)",
        email: "Zhang.San@Example.com",
        phone: "+86 156 1234 5678",
        customFields: { nick_name: "zs", cost_center: null },
      },
    );
    const res = await post(event);
    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({ status: "applied", eventId: event.id, userId: ZHANG });
    expect(res.json.eiamRequestId).toMatch(/^[0-9A-F-]{36}$/);

    const user = eiam.state.getUser(ZHANG)!;
    expect(user).toMatchObject({
      username: "zhang.san",
      displayName: "Zhang San (Platform)",
      email: "Zhang.San@example.com",
      emailVerified: false,
      phoneRegion: "86",
      phoneNumber: "15612345678",
      phoneNumberVerified: false,
    });
    expect(user.customFields).toEqual({ nick_name: "zs" });
  });

  it("accepts a Base64 body", async () => {
    const res = await post(canonicalEvent({}, { displayName: "Base Sixty Four" }), { base64: true });
    expect(res.statusCode).toBe(200);
    expect(eiam.state.getUser(ZHANG)?.displayName).toBe("Base Sixty Four");
  });

  it("answers 400 with every problem by field path, and calls nothing", async () => {
    const before = eiam.state.requestLog.length;
    const res = await post({
      id: "bad-1",
      occurredAt: "yesterday",
      user: { userId: ZHANG },
      changes: { displayName: "x".repeat(129), phone: "12", email: "a b@example.com" },
    });
    expect(res.statusCode).toBe(400);
    const problems = (res.json.error as { problems: Array<{ path: string }> }).problems.map((p) => p.path);
    expect(problems).toEqual(expect.arrayContaining(["occurredAt"]));
    expect(eiam.state.requestLog.length).toBe(before);
    expect(res.json.deadLetterId).toBeTruthy();
    expect(deadLetters().at(-1)).toMatchObject({ eventId: "bad-1", error: { stage: "validate" } });
  });

  it("answers 422 with the EIAM code for a permanent error", async () => {
    const res = await post(canonicalEvent({ user: { userId: "user_doesnotexist00000000000000" } }));
    expect(res.statusCode).toBe(422);
    expect(res.json).toMatchObject({
      status: "dead_lettered",
      error: { code: "EntityNotExists.User", httpStatus: 404 },
    });
  });

  it("answers 422 ResourceDuplicated.Username when the username belongs to someone else", async () => {
    const res = await post(canonicalEvent({ user: { userId: LI } }, { username: "zhang.san" }));
    expect(res.statusCode).toBe(422);
    expect(res.json).toMatchObject({
      error: { code: "ResourceDuplicated.Username", httpStatus: 403, stage: "apply" },
    });
    expect(eiam.state.getUser(LI)?.username).toBe("li.si");
  });

  it("answers 503 with Retry-After when EIAM keeps failing", async () => {
    eiam.state.setFaults({ failureRate: 1, failureKinds: ["5xx"] });
    try {
      const res = await post(canonicalEvent({}, { displayName: "Never" }));
      expect(res.statusCode).toBe(503);
      expect(res.headers["retry-after"]).toBeDefined();
      expect(res.json).toMatchObject({ status: "deferred", error: { retryable: true } });
    } finally {
      eiam.state.clearFaults();
    }
    expect(eiam.state.getUser(ZHANG)?.displayName).not.toBe("Never");
  });

  it("answers 405 to anything but POST", async () => {
    const res = await post("", { method: "GET" });
    expect(res.statusCode).toBe(405);
  });

  it("answers a redelivered event as a duplicate without calling EIAM again", async () => {
    const event = canonicalEvent({}, { displayName: "Once Only" });
    expect((await post(event)).json.status).toBe("applied");
    const calls = eiam.state.requestLog.length;
    const again = await post(event);
    expect(again.statusCode).toBe(200);
    expect(again.json.status).toBe("duplicate");
    expect(eiam.state.requestLog.length).toBe(calls);
  });

  it("logs one line per outcome, with the FC request id and no unmasked email or phone", async () => {
    logLines.length = 0;
    await post(canonicalEvent({}, { email: "secret.person@example.com", phone: "+86 156 9999 8888" }));
    const outcomes = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === "event outcome");
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]!.fcRequestId).toBeTruthy();
    const all = logLines.join("");
    expect(all).not.toContain("secret.person@example.com");
    expect(all).not.toContain("99998888");
  });
});
