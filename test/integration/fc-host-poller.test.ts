/**
 * The EventBridge-style MNS-queue trigger with the real @alicloud/mns client against the MNS emulator: batches
 * (size and window), deletion after a successful invocation, redelivery after a failed one, and the move to the
 * trigger dead-letter queue after the last failed delivery.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS } from "../../local/demo-data.ts";
import { type InvokeOutcome, unhandledError } from "../../local/fc-host/invoke.ts";
import { createMnsClient, type LocalMnsClient } from "../../local/fc-host/mns-client.ts";
import { MnsQueuePoller, type MnsQueuePollerOptions } from "../../local/fc-host/mns-queue-poller.ts";
import { type MnsEmulator, startMnsEmulator } from "../../local/mns-emulator/server.ts";

const SOURCE = "user-changes";
const DLQ = "trigger-dlq";

interface CloudEvent {
  type: string;
  source: string;
  subject: string;
  data: { messageId: string; messageBody: string };
}

let mns: MnsEmulator;
let client: LocalMnsClient;
let poller: MnsQueuePoller | undefined;
let invocations: CloudEvent[][];

beforeEach(async () => {
  mns = await startMnsEmulator({
    credentials: [DEMO_CREDENTIALS],
    queues: [{ name: SOURCE, visibilityTimeoutSeconds: 1 }, { name: DLQ }],
  });
  client = createMnsClient({ accountId: mns.accountId, endpoint: mns.url, credentials: DEMO_CREDENTIALS });
  invocations = [];
});

afterEach(async () => {
  // Closing the emulator ends the poller's long poll at once.
  await Promise.all([poller?.stop(), mns.close()]);
  poller = undefined;
});

function startPoller(
  options: Partial<MnsQueuePollerOptions>,
  fail: (bodies: string[]) => boolean = () => false,
): MnsQueuePoller {
  poller = new MnsQueuePoller({
    client,
    source: {
      accountId: mns.accountId,
      region: "cn-hangzhou",
      queue: SOURCE,
      functionName: "fn",
      triggerName: "t",
    },
    invoke: async (event): Promise<InvokeOutcome> => {
      const batch = JSON.parse(event.toString()) as CloudEvent[];
      invocations.push(batch);
      if (fail(batch.map((e) => e.data.messageBody))) {
        return { ok: false, error: unhandledError(new Error("handler failed")), requestId: "r" };
      }
      return { ok: true, result: { ok: true }, requestId: "r" };
    },
    deadLetterQueue: DLQ,
    ...options,
  });
  poller.start();
  return poller;
}

async function until(check: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function sendAll(bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 16) {
    await client.batchSendMessage(
      SOURCE,
      bodies.slice(i, i + 16).map((MessageBody) => ({ MessageBody })),
    );
  }
}

describe("MNS queue trigger", () => {
  it("delivers 25 waiting messages as batches of 10, 10 and 5, and deletes them", async () => {
    const bodies = Array.from({ length: 25 }, (_, i) => `{"n":${i}}`);
    await sendAll(bodies);
    const started = startPoller({ batchSize: 10, batchWindowSeconds: 0.3 });
    await until(() => started.stats.deleted === 25);

    expect(invocations.map((batch) => batch.length)).toEqual([10, 10, 5]);
    const delivered = invocations.flat();
    expect(delivered.map((e) => e.data.messageBody).sort()).toEqual([...bodies].sort());
    expect(delivered[0]).toMatchObject({
      type: "mns:Queue:SendMessage",
      source: "MNS-fn-t",
      subject: `acs:mns:cn-hangzhou:${mns.accountId}:queues/${SOURCE}`,
    });
    expect(new Set(delivered.map((e) => e.data.messageId)).size).toBe(25);
    expect(mns.state.queueMessages(SOURCE)).toEqual([]);
  });

  it("sends a batch smaller than its size once the window has passed", async () => {
    await sendAll(["a", "b", "c"]);
    const started = startPoller({ batchSize: 10, batchWindowSeconds: 0.2 });
    await until(() => started.stats.deleted === 3);
    expect(invocations.map((batch) => batch.length)).toEqual([3]);
  });

  it("re-delivers a failed batch, then moves each message to the trigger DLQ after its third failure", async () => {
    await sendAll(["poison"]);
    const started = startPoller({ batchSize: 10, batchWindowSeconds: 0.05, maxDeliveries: 3 }, (b) =>
      b.includes("poison"),
    );
    await until(() => started.stats.deadLettered === 1);

    expect(invocations.map((batch) => batch.map((e) => e.data.messageBody))).toEqual([
      ["poison"],
      ["poison"],
      ["poison"],
    ]);
    expect(mns.state.queueMessages(SOURCE)).toEqual([]);
    expect(mns.state.queueMessages(DLQ).map((m) => m.body)).toEqual(["poison"]);
    expect(started.stats).toMatchObject({ failedInvocations: 3, deleted: 1 });
  });

  it("keeps delivering other messages after a failure", async () => {
    await sendAll(["first"]);
    let failOnce = true;
    const started = startPoller({ batchSize: 10, batchWindowSeconds: 0.05 }, () => {
      const fail = failOnce;
      failOnce = false;
      return fail;
    });
    await until(() => started.stats.deleted === 1);
    expect(invocations.map((batch) => batch.map((e) => e.data.messageBody))).toEqual([["first"], ["first"]]);
    expect(mns.state.queueMessages(DLQ)).toEqual([]);
  });
});
