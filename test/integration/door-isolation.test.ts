/**
 * Isolation and what dead letters keep, through the real handler and the EIAM emulator: one message of an
 * EventBridge batch that cannot be decoded is dead-lettered alone (once), the rest are applied; an HTTP dead
 * letter keeps the body and only the allow-listed headers.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import type { DeadLetterRecord } from "../../shared/dead-letter/record.ts";
import { type BatchResult, handleInvocation } from "../../shared/handler/handle-invocation.ts";
import type { HttpResponse } from "../../shared/handler/http-response.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { canonicalEvent, fcContext, httpTriggerEvent, mnsQueueCloudEvents } from "../helpers/fc-events.ts";

let eiam: EiamEmulator;
let runtime: Runtime;
let deadLetterFile: string;

beforeAll(async () => {
  eiam = await startDemoEiam();
  deadLetterFile = join(mkdtempSync(join(tmpdir(), "eiam-sync-door-isolation-")), "dead-letters.jsonl");
  runtime = createRuntime(
    {
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
      DEAD_LETTER_FILE: deadLetterFile,
      WEBHOOK_AUTH: "none",
    },
    { logger: createLogger({ level: "error", sink: () => undefined }) },
  );
});

afterAll(async () => {
  await eiam?.close();
});

function deadLetters(): DeadLetterRecord[] {
  try {
    return readFileSync(deadLetterFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as DeadLetterRecord);
  } catch {
    return [];
  }
}

describe("an EventBridge batch with a message that cannot be decoded", () => {
  it("dead-letters only that message, applies the others, and does not dead-letter it twice", async () => {
    const good = canonicalEvent({}, { displayName: `Batch Survivor ${randomUUID().slice(0, 8)}` });
    const batch = JSON.parse(mnsQueueCloudEvents([JSON.stringify(good)]).toString()) as unknown[];
    const broken = { ...(batch[0] as object), id: `ce-${randomUUID()}`, type: "oss:ObjectCreated:PutObject" };
    const invocation = Buffer.from(JSON.stringify([broken, ...batch, { not: "a CloudEvent" }]));
    const before = deadLetters().length;

    const first = (await handleInvocation(invocation, fcContext(), runtime, Date.now())) as BatchResult;
    expect(first.results.map((r) => r.status).sort()).toEqual(["applied", "dead_lettered", "dead_lettered"]);
    expect(eiam.state.getUser("user_d6sbsuumeta4h66ec3il7yxxxx")?.displayName).toBe(good.changes.displayName);
    const records = deadLetters().slice(before);
    // Published concurrently: in any order.
    expect(records.map((r) => r.delivery.original)).toEqual(
      expect.arrayContaining([broken, { not: "a CloudEvent" }]),
    );
    expect(records).toHaveLength(2);
    expect(records.map((r) => r.delivery.deliveryId)).toContain(broken.id);

    const again = (await handleInvocation(invocation, fcContext(), runtime, Date.now())) as BatchResult;
    expect(again.results.map((r) => r.status)).toEqual(["duplicate", "duplicate", "duplicate"]);
    expect(deadLetters().length).toBe(before + 2);
  });
});

describe("an HTTP dead letter", () => {
  it("keeps the body and the allow-listed headers, never Authorization, Cookie or signatures", async () => {
    const body = JSON.stringify(canonicalEvent({}, { customFields: { badge_color: "blue" } }));
    const answer = (await handleInvocation(
      httpTriggerEvent(body, {
        headers: {
          authorization: "Bearer top-secret-token",
          cookie: "session=top-secret-cookie",
          "x-hub-signature-256": "sha256=top-secret-signature",
          "x-api-key": "top-secret-key",
          "user-agent": "hr-system/1.0",
        },
      }),
      fcContext(),
      runtime,
      Date.now(),
    )) as HttpResponse;
    expect(answer.statusCode).toBe(422);
    const record = deadLetters().at(-1)!;
    const original = record.delivery.original as { body: string; headers: Record<string, string> };
    expect(original.body).toBe(body);
    expect(original.headers).toEqual({ "content-type": "application/json", "user-agent": "hr-system/1.0" });
    expect(JSON.stringify(record)).not.toContain("top-secret");
  });
});
