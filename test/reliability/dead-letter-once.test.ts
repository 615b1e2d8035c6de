/**
 * The smallest form of a double dead letter the chaos run saw once with the memory store: the same invalid
 * message delivered to two invocations at the same time. Each looks for an earlier dead letter, finds none,
 * and publishes; MNS is slow (a stalled proxy) so both are in flight together. One record must come of it.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import { type MnsEmulator, startMnsEmulator } from "../../local/mns-emulator/server.ts";
import { DeferredEventsError, handleInvocation } from "../../shared/handler/handle-invocation.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import type { EventOutcome } from "../../shared/pipeline/outcome.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { canonicalEvent, fcContext } from "../helpers/fc-events.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";
import { publishedDeadLetters } from "./support/dead-letter-topic.ts";
import { mnsQueueBatch } from "./support/mns-cloud-events.ts";

const TOPIC = "eiam-user-sync-dlq";

let eiam: EiamEmulator;
let mns: MnsEmulator;
let mnsProxy: TcpProxy;
let runtime: Runtime;

beforeAll(async () => {
  eiam = await startDemoEiam();
  mns = await startMnsEmulator({ topics: [{ name: TOPIC }], credentials: [DEMO_CREDENTIALS] });
  mnsProxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(mns.url).port) });
  runtime = createRuntime(
    {
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      IDEMPOTENCY_STORE: "memory",
      DEAD_LETTER_TOPIC: TOPIC,
      MNS_ACCOUNT_ID: mns.accountId,
      MNS_ENDPOINT: `http://127.0.0.1:${mnsProxy.port}`,
    },
    { logger: createLogger({ level: "error", sink: () => undefined }) },
  );
});

afterAll(async () => {
  await runtime?.store.close();
  await runtime?.limiter.close();
  await eiam?.close();
  await mnsProxy?.close();
  await mns?.close();
});

async function outcomesOf(event: Buffer): Promise<EventOutcome[]> {
  try {
    const answer = await handleInvocation(event, fcContext(), runtime, Date.now());
    return "results" in answer ? answer.results : [];
  } catch (err) {
    if (err instanceof DeferredEventsError) return err.result.results;
    throw err;
  }
}

it("one invalid message delivered to two invocations at once is dead-lettered once", async () => {
  const body = JSON.stringify(canonicalEvent({}, { phone: "+86 123" }));
  const message = mnsQueueBatch([{ messageId: "M-twice", body }]);
  mnsProxy.pause();
  const both = Promise.all([outcomesOf(message), outcomesOf(message)]);
  await sleep(300);
  mnsProxy.resume();
  let answers = (await both).flat();
  // A delivery handed back (the other one was busy with it) comes again, as the platform would send it.
  for (let i = 0; i < 5 && answers.some((o) => o.status === "deferred"); i++) {
    await sleep(50);
    answers = [...answers.filter((o) => o.status !== "deferred"), ...(await outcomesOf(message))];
  }

  const records = publishedDeadLetters(mns, TOPIC);
  expect(records).toHaveLength(1);
  expect(answers.map((o) => o.status).sort()).toEqual(["dead_lettered", "duplicate"]);
  expect(answers.map((o) => o.deadLetterId)).toEqual([records[0]!.messageId, records[0]!.messageId]);
});
