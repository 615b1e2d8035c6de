/**
 * Every dead letter, whatever its stage, can be handed back through the invoke API (the redrive envelope) and
 * gets an answer: applied once the cause is gone, or dead-lettered again in place. An invocation that throws
 * instead would leave the operator with an error and the platform with a retry loop.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import { DeadLetterRecord } from "../../shared/dead-letter/record.ts";
import { DeferredEventsError, handleInvocation } from "../../shared/handler/handle-invocation.ts";
import { redriveEnvelope } from "../../shared/handler/redrive.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { canonicalEvent, fcContext } from "../helpers/fc-events.ts";
import { mnsQueueBatch } from "./support/mns-cloud-events.ts";

let eiam: EiamEmulator;
let runtime: Runtime;
let deadLetterFile: string;

beforeAll(async () => {
  eiam = await startDemoEiam();
  deadLetterFile = join(mkdtempSync(join(tmpdir(), "eiam-sync-redrive-")), "dead-letters.jsonl");
  runtime = createRuntime(
    {
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
      DEAD_LETTER_FILE: deadLetterFile,
      EIAM_MAX_ATTEMPTS: "2",
      EIAM_RETRY_BASE_MS: "1",
      EIAM_RETRY_MAX_MS: "5",
    },
    { logger: createLogger({ level: "error", sink: () => undefined }) },
  );
});

afterAll(async () => {
  await eiam?.close();
});

/** The answer's outcomes, whether the invocation returned or handed events back. */
async function outcomesOf(event: Buffer) {
  try {
    const answer = await handleInvocation(event, fcContext(), runtime, Date.now());
    if (!("results" in answer)) throw new Error("expected a batch answer");
    return answer.results;
  } catch (err) {
    if (err instanceof DeferredEventsError) return err.result.results;
    throw err;
  }
}

function deadLetters(): DeadLetterRecord[] {
  return readFileSync(deadLetterFile, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => DeadLetterRecord.parse(JSON.parse(line)));
}

describe("redrive of dead letters of every stage", () => {
  it("each one gets an answer, never an error", async () => {
    const message = (body: string, id: string) => mnsQueueBatch([{ messageId: id, body }]);
    eiam.state.setFaults({ failureRate: 1, failureKinds: ["5xx"] });
    await outcomesOf(
      message(JSON.stringify(canonicalEvent({}, { displayName: "After The Outage" })), "M-retry"),
    );
    eiam.state.clearFaults();
    await outcomesOf(Buffer.from("not an event at all"));
    await outcomesOf(message("not json", "M-unreadable"));
    await outcomesOf(message(JSON.stringify(canonicalEvent({}, { phone: "+86 12" })), "M-invalid"));
    await outcomesOf(
      message(
        JSON.stringify(canonicalEvent({ user: { userId: "user_nobody" } }, { displayName: "X" })),
        "M-ghost",
      ),
    );

    const records = deadLetters();
    expect(records.map((r) => r.error.code).sort()).toEqual(
      [
        "EntityNotExists.User",
        "InvalidEvent",
        "ServiceUnavailable",
        "UnknownEventShape",
        "UnreadablePayload",
      ].sort(),
    );
    const answers: Array<{ code: string; statuses: string[] | string }> = [];
    for (const [i, record] of records.entries()) {
      const envelope = Buffer.from(JSON.stringify(redriveEnvelope(`dl-${i}`, record)));
      try {
        answers.push({
          code: record.error.code,
          statuses: (await outcomesOf(envelope)).map((o) => o.status),
        });
      } catch (err) {
        answers.push({ code: record.error.code, statuses: `threw ${(err as Error).name}` });
      }
    }
    expect(answers).toEqual(
      expect.arrayContaining([
        { code: "ServiceUnavailable", statuses: ["applied"] },
        { code: "UnknownEventShape", statuses: ["dead_lettered"] },
        { code: "UnreadablePayload", statuses: ["dead_lettered"] },
        { code: "InvalidEvent", statuses: ["dead_lettered"] },
        { code: "EntityNotExists.User", statuses: ["dead_lettered"] },
      ]),
    );
    expect(deadLetters()).toHaveLength(records.length);
  });
});
