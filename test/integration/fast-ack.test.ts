/**
 * Fast acknowledgement (`ack: enqueue`) through the real handler, the MNS emulator (real @alicloud/mns) and the
 * EIAM emulator: 202 once the delivery is on the source queue, applied from there with the same idempotency key
 * a `sync` route would use; invalid input still answered 400 at once; a queue that refuses it gives 503.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import { type MnsEmulator, startMnsEmulator } from "../../local/mns-emulator/server.ts";
import { type BatchResult, handleInvocation } from "../../shared/handler/handle-invocation.ts";
import type { HttpResponse } from "../../shared/handler/http-response.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { canonicalEvent, fcContext, httpTriggerEvent, mnsQueueCloudEvents } from "../helpers/fc-events.ts";

const QUEUE = "eiam-user-changes";
let eiam: EiamEmulator;
let mns: MnsEmulator;
let dir: string;

function runtimeWith(sourceQueue: string): Runtime {
  const sendersFile = join(dir, `senders-${randomUUID()}.json`);
  const route = (path: string, ack: string) => ({
    path,
    methods: ["POST"],
    format: "canonical",
    ack,
    auth: { scheme: "none" },
  });
  writeFileSync(sendersFile, JSON.stringify({ routes: [route("/sync", "sync"), route("/fast", "enqueue")] }));
  return createRuntime(
    {
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
      DEAD_LETTER_FILE: join(dir, "dead-letters.jsonl"),
      SENDERS_FILE: sendersFile,
      SOURCE_QUEUE: sourceQueue,
      MNS_ENDPOINT: mns.url,
      MNS_ACCOUNT_ID: mns.accountId,
    },
    { logger: createLogger({ level: "error", sink: () => undefined }) },
  );
}

beforeAll(async () => {
  eiam = await startDemoEiam();
  mns = await startMnsEmulator({ port: 0, credentials: [DEMO_CREDENTIALS], queues: [{ name: QUEUE }] });
  dir = mkdtempSync(join(tmpdir(), "eiam-sync-fast-ack-"));
});

afterAll(async () => {
  await mns?.close();
  await eiam?.close();
});

async function post(runtime: Runtime, path: string, body: unknown): Promise<HttpResponse> {
  return (await handleInvocation(
    httpTriggerEvent(body, { path }),
    fcContext(),
    runtime,
    Date.now(),
  )) as HttpResponse;
}

function takeQueued(): string[] {
  const bodies = mns.state.queueMessages(QUEUE).map((m) => m.body);
  mns.state.purgeQueue(QUEUE);
  return bodies;
}

describe("an enqueue route", () => {
  it("answers 202 before EIAM is called; the queue trigger applies it; a sync route sees the same key", async () => {
    const runtime = runtimeWith(QUEUE);
    const event = canonicalEvent({}, { displayName: `Fast ${randomUUID().slice(0, 8)}` });
    eiam.state.clearRequestLog();

    const res = await post(runtime, "/fast", event);
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({ status: "accepted", events: 1 });
    expect(eiam.state.requestLog).toEqual([]);

    const queued = takeQueued();
    expect(queued).toHaveLength(1);
    const applied = (await handleInvocation(
      mnsQueueCloudEvents(queued),
      fcContext(),
      runtime,
      Date.now(),
    )) as BatchResult;
    expect(applied.results).toMatchObject([{ status: "applied", eventId: event.id }]);
    expect(eiam.state.getUser("user_d6sbsuumeta4h66ec3il7yxxxx")?.displayName).toBe(
      event.changes.displayName,
    );

    const sync = await post(runtime, "/sync", event);
    expect(JSON.parse(sync.body)).toMatchObject({ status: "duplicate", eventId: event.id });
  });

  it("answers invalid input with 400 at once and queues nothing", async () => {
    const runtime = runtimeWith(QUEUE);
    const res = await post(runtime, "/fast", canonicalEvent({ occurredAt: "yesterday" }));
    expect(res.statusCode).toBe(400);
    expect(takeQueued()).toEqual([]);
  });

  it("answers 503 with Retry-After when the queue refuses the delivery", async () => {
    const runtime = runtimeWith("no-such-queue");
    const res = await post(runtime, "/fast", canonicalEvent({}, { displayName: "Not Queued" }));
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("30");
    expect(JSON.parse(res.body)).toEqual({
      status: "rejected",
      error: { code: "queue_unavailable", message: "the delivery could not be queued; retry later" },
    });
  });
});
