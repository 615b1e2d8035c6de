/**
 * Rare chaos failures, each made deterministic in its smallest form. The runtime's clock (`now`, which
 * deadlines and leases follow) is moved while an UpdateUser is in flight, or EIAM applies a change and then
 * drops the connection:
 * - the next event of a user is reached after the invocation deadline (the claim used to throw a RangeError);
 * - the deadline passes after EIAM applied a newer change but before it was recorded (the user lease used to
 *   lapse at the deadline, so another instance wrote an older change over it: a lost update);
 * - a change EIAM applied but the function never recorded (it ended dead-lettered) makes a later change look
 *   like a no-op, because it equals the last value the function recorded.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_INSTANCE_ID, DEMO_USERS } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import { DeferredEventsError, handleInvocation } from "../../shared/handler/handle-invocation.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { canonicalEvent, fcContext } from "../helpers/fc-events.ts";
import { mnsQueueBatch } from "./support/mns-cloud-events.ts";

const ZHANG = DEMO_USERS[0]!.userId;
const LI = DEMO_USERS[1]!.userId;
const TIMEOUT_S = 10;
const MARGIN_MS = 1000;
/** Slow enough that the clock can be moved while a request is in flight. */
const EIAM_LATENCY_MS = 400;

let eiam: EiamEmulator;
let runtime: Runtime;
let leaseClock = Date.now();
/** Called by the emulator for each request it handled, after applying it and before answering. */
let onEiamRequest: ((line: string) => void) | undefined;

beforeAll(async () => {
  eiam = await startDemoEiam({
    log: (line) => onEiamRequest?.(line),
  });
  runtime = createRuntime(
    {
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
      DEAD_LETTER_FILE: "/dev/null",
      DEADLINE_MARGIN_MS: String(MARGIN_MS),
      EIAM_RETRY_BASE_MS: "5",
      EIAM_RETRY_MAX_MS: "20",
    },
    { now: () => leaseClock, logger: createLogger({ level: "error", sink: () => undefined }) },
  );
});

afterAll(async () => {
  await eiam?.close();
});

async function invoke(event: Record<string, unknown>, startedAt: number) {
  const batch = mnsQueueBatch([{ messageId: String(event.id), body: JSON.stringify(event) }]);
  const context = fcContext({ function: { name: "eiam-user-sync", timeout: TIMEOUT_S } });
  try {
    const answer = await handleInvocation(batch, context, runtime, startedAt);
    return "results" in answer ? answer.results : [];
  } catch (err) {
    if (err instanceof DeferredEventsError) return err.result.results;
    throw err;
  }
}

it("the next event of a user whose deadline passed during the previous one is handed back, not a crash", async () => {
  const base = Date.UTC(2026, 5, 2);
  const first = canonicalEvent({ occurredAt: new Date(base).toISOString() }, { displayName: "First Of Two" });
  const second = canonicalEvent(
    { occurredAt: new Date(base + 1000).toISOString() },
    { displayName: "Second Of Two" },
  );
  const batch = mnsQueueBatch(
    [first, second].map((event) => ({ messageId: String(event.id), body: JSON.stringify(event) })),
  );
  const context = fcContext({ function: { name: "eiam-user-sync", timeout: TIMEOUT_S } });
  eiam.state.setFaults({ latencyMs: EIAM_LATENCY_MS });
  const startedAt = leaseClock;
  const invocation = handleInvocation(batch, context, runtime, startedAt).then(
    () => "returned",
    (err: Error) =>
      err instanceof DeferredEventsError ? err.result.results.map((o) => o.status).join(",") : err.message,
  );
  // The first UpdateUser is in flight when the deadline passes.
  await sleep(EIAM_LATENCY_MS / 4);
  leaseClock = startedAt + TIMEOUT_S * 1000 - MARGIN_MS + 1;
  const ended = await invocation;
  eiam.state.clearFaults();
  expect(ended).toBe("applied,deferred");
  expect(eiam.state.getUser(ZHANG)?.displayName).toBe("First Of Two");
});

it("an older change written by the next lease holder does not overwrite a newer one not yet recorded", async () => {
  const base = Date.UTC(2026, 5, 1);
  const user = { userId: LI };
  const newer = canonicalEvent(
    { user, occurredAt: new Date(base + 60_000).toISOString() },
    { displayName: "Newer" },
  );
  const older = canonicalEvent({ user, occurredAt: new Date(base).toISOString() }, { displayName: "Older" });

  const startA = leaseClock;
  let second: Promise<unknown[]> | undefined;
  // EIAM has applied A's newer change and is about to answer; A's deadline passes right then, before A records
  // what it wrote, and another instance starts on the same user with the older change.
  onEiamRequest = (line) => {
    if (second !== undefined || !line.includes(" UpdateUser ")) return;
    leaseClock = startA + TIMEOUT_S * 1000 - MARGIN_MS + 1;
    second = invoke(older, leaseClock);
  };
  const a = await invoke(newer, startA);
  const b = await second;
  onEiamRequest = undefined;

  expect(a.map((o) => (o as { status: string }).status)).toEqual(["applied"]);
  expect(b).toBeDefined();
  expect(eiam.state.getUser(LI)?.displayName).toBe("Newer");
});

it("a newer change equal to the last recorded value is still written when EIAM holds an unrecorded one", async () => {
  const base = Date.UTC(2026, 5, 3);
  const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
  const first = canonicalEvent({ occurredAt: at(0) }, { customFields: { department: "Finance" } });
  const middle = canonicalEvent({ occurredAt: at(1) }, { customFields: { department: "Sales" } });
  const last = canonicalEvent({ occurredAt: at(2) }, { customFields: { department: "Finance" } });

  expect((await invoke(first, leaseClock)).map((o) => o.status)).toEqual(["applied"]);
  // Every attempt of the middle change is applied by EIAM, but the answer never arrives: it is dead-lettered.
  eiam.state.setFaults({ failNext: [{ kind: "drop-after-apply", count: 10 }] });
  expect((await invoke(middle, leaseClock)).map((o) => o.status)).toEqual(["dead_lettered"]);
  eiam.state.clearFaults();
  expect(eiam.state.getUser(ZHANG)?.customFields.department).toBe("Sales");

  await invoke(last, leaseClock);
  expect(eiam.state.getUser(ZHANG)?.customFields.department).toBe("Finance");
});
