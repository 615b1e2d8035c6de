/**
 * Redrive envelopes through the handler: the dead-lettered delivery is decoded again and applied once fixed;
 * a failure again stays in its original message (synchronous redrive) or is published anew (asynchronous).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import { DeadLetterRecord } from "../../shared/dead-letter/record.ts";
import { type BatchResult, handleInvocation } from "../../shared/handler/handle-invocation.ts";
import { redriveEnvelope } from "../../shared/handler/redrive.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { canonicalEvent, fcContext, httpTriggerEvent, mnsQueueCloudEvents } from "../helpers/fc-events.ts";

let eiam: EiamEmulator;
let runtime: Runtime;
let file: string;

beforeAll(async () => {
  eiam = await startDemoEiam();
  file = join(mkdtempSync(join(tmpdir(), "eiam-sync-redrive-")), "dlq.jsonl");
  runtime = createRuntime(
    {
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      WEBHOOK_AUTH: "standard-webhooks",
      WEBHOOK_SECRETS: `whsec_${Buffer.alloc(32, 7).toString("base64")}`,
      DEAD_LETTER_FILE: file,
    },
    { logger: createLogger({ sink: () => undefined }) },
  );
});

afterAll(async () => {
  await eiam.close();
});

function records(): DeadLetterRecord[] {
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => DeadLetterRecord.parse(JSON.parse(l) as unknown));
}

async function invoke(event: Buffer): Promise<BatchResult> {
  return (await handleInvocation(event, fcContext(), runtime, Date.now())) as BatchResult;
}

describe("redrive", () => {
  it("keeps a failure in its original message, then applies the delivery once the cause is fixed", async () => {
    const event = canonicalEvent({ id: "redrive-1" }, { customFields: { badge_color: "blue" } });
    await invoke(mnsQueueCloudEvents([JSON.stringify(event)]));
    const record = records().at(-1)!;
    expect(record.error).toMatchObject({ code: "InvalidParameter.CustomFields.FieldName", stage: "apply" });

    const again = await invoke(Buffer.from(JSON.stringify(redriveEnvelope("MSG-1", record))));
    expect(again.results[0]).toMatchObject({ status: "dead_lettered", deadLetterId: "MSG-1" });
    expect(records()).toHaveLength(1);

    eiam.state.defineCustomField({ fieldName: "badge_color" });
    const fixed = await invoke(Buffer.from(JSON.stringify(redriveEnvelope("MSG-1", record))));
    expect(fixed.results[0]).toMatchObject({ status: "applied", eventId: "redrive-1" });
    expect(eiam.state.getUser("user_d6sbsuumeta4h66ec3il7yxxxx")?.customFields.badge_color).toBe("blue");
  });

  it("publishes a failure anew when the caller already let the original message go", async () => {
    const event = canonicalEvent({ id: "redrive-2", user: { userId: "user_gone0000000000000000000000" } });
    await invoke(mnsQueueCloudEvents([JSON.stringify(event)]));
    const before = records().length;
    const record = records().at(-1)!;
    const again = await invoke(Buffer.from(JSON.stringify(redriveEnvelope("MSG-2", record, "publish"))));
    expect(again.results[0]!.status).toBe("dead_lettered");
    expect(again.results[0]!.deadLetterId).not.toBe("MSG-2");
    expect(records()).toHaveLength(before + 1);
    expect(records().at(-1)).toMatchObject({ eventId: "redrive-2", error: { code: "EntityNotExists.User" } });
  });

  it("replays a dead-lettered webhook without its (by now expired) signature", async () => {
    const secret = Buffer.alloc(32, 7);
    const event = canonicalEvent({ id: "redrive-3" }, { phone: "12" });
    const body = JSON.stringify(event);
    const { createHmac } = await import("node:crypto");
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = createHmac("sha256", secret).update(`wh-3.${ts}.${body}`).digest("base64");
    const headers = { "webhook-id": "wh-3", "webhook-timestamp": ts, "webhook-signature": `v1,${sig}` };
    const answer = await handleInvocation(
      httpTriggerEvent(body, { headers }),
      fcContext(),
      runtime,
      Date.now(),
    );
    expect((answer as { statusCode: number }).statusCode).toBe(400);
    const record = records().at(-1)!;
    expect(record.delivery.trigger).toBe("http");

    // Redriven, the webhook is not authenticated again (its timestamp may be long expired by then): it reaches
    // validation, fails the same way, and is not published a second time.
    const again = await invoke(Buffer.from(JSON.stringify(redriveEnvelope("MSG-3", record))));
    expect(again.results[0]).toMatchObject({
      status: "dead_lettered",
      deadLetterId: "MSG-3",
      error: { stage: "validate" },
    });
  });
});
