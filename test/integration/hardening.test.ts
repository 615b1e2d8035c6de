/**
 * Defects a review of the pipeline found, each reproduced through the real function core (handleInvocation)
 * against the EIAM emulator, with the file dead-letter publisher read back.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import type { DeadLetterRecord } from "../../shared/dead-letter/record.ts";
import {
  type BatchResult,
  DeferredEventsError,
  handleInvocation,
} from "../../shared/handler/handle-invocation.ts";
import { createRuntime, type RuntimeOverrides } from "../../shared/handler/runtime.ts";
import { createMemoryStore } from "../../shared/idempotency/memory-store.ts";
import { createLogger } from "../../shared/log.ts";
import { RateLimiterUnavailableError } from "../../shared/rate-limit/limiter.ts";
import { createRedisBucket } from "../../shared/rate-limit/redis-bucket.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { canonicalEvent, fcContext, mnsQueueCloudEvents } from "../helpers/fc-events.ts";

const ZHANG = "user_d6sbsuumeta4h66ec3il7yxxxx";
let eiam: EiamEmulator;
let dir: string;

function setup(env: Record<string, string> = {}, overrides: RuntimeOverrides = {}) {
  const dlq = join(dir, `dlq-${randomUUID()}.jsonl`);
  const lines: string[] = [];
  const runtime = createRuntime(
    {
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      DEAD_LETTER_FILE: dlq,
      EIAM_RETRY_BASE_MS: "1",
      EIAM_RETRY_MAX_MS: "5",
      ...env,
    },
    { logger: createLogger({ sink: (l) => lines.push(l) }), ...overrides },
  );
  const records = (): DeadLetterRecord[] =>
    existsSync(dlq)
      ? readFileSync(dlq, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as DeadLetterRecord)
      : [];
  const invoke = async (events: unknown[]): Promise<BatchResult> => {
    const batch = mnsQueueCloudEvents(events.map((e) => JSON.stringify(e)));
    try {
      return (await handleInvocation(batch, fcContext(), runtime, Date.now())) as BatchResult;
    } catch (err) {
      if (err instanceof DeferredEventsError) return err.result;
      throw err;
    }
  };
  return { runtime, records, invoke, lines };
}

function updateUserCalls(): number {
  return eiam.state.requestLog.filter((e) => e.action === "UpdateUser" && e.status === 200).length;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eiam-sync-hardening-"));
  eiam = await startDemoEiam();
});

afterAll(async () => {
  await eiam.close();
});

beforeEach(() => {
  eiam.state.reset();
  eiam.state.clearRequestLog();
});

describe("the memory store never forgets within its TTL", () => {
  it("hands new events back when full, logs it loudly, and never applies an old redelivery twice", async () => {
    const { invoke, lines } = setup({}, { store: createMemoryStore({ maxEntries: 2 }) });
    const a = canonicalEvent({}, { displayName: "A" });
    const b = canonicalEvent({ user: { userId: "user_li4si0000000000000000000" } }, { displayName: "B" });
    const c = canonicalEvent({}, { displayName: "C" });
    expect((await invoke([a, b])).results.map((r) => r.status)).toEqual(["applied", "applied"]);
    const full = await invoke([c]);
    expect(full.results[0]).toMatchObject({ status: "deferred", error: { code: "IdempotencyStoreFull" } });
    expect(lines.some((l) => l.includes('"level":"error"') && l.includes("idempotency store full"))).toBe(
      true,
    );
    // The first event delivered again is still known: no second UpdateUser, and C's value was never written.
    expect((await invoke([a])).results[0]!.status).toBe("duplicate");
    expect(updateUserCalls()).toBe(2);
    expect(eiam.state.getUser(ZHANG)?.displayName).toBe("A");
  });
});

describe("a Redis error in the rate limiter", () => {
  it("fails the invocation (the platform delivers again), dead-letters nothing, and the redelivery applies", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const limiter = createRedisBucket({
      url: `redis://127.0.0.1:${port}`,
      key: "eiam-user-sync-test:rate",
      ratePerSecond: 100,
      burst: 10,
      connectTimeoutMs: 200,
      commandTimeoutMs: 200,
    });
    const store = createMemoryStore();
    const broken = setup({}, { store, limiter });
    const event = canonicalEvent({}, { displayName: "Through the outage" });
    await expect(invoke(broken, event)).rejects.toBeInstanceOf(RateLimiterUnavailableError);
    expect(broken.records()).toEqual([]);
    expect(updateUserCalls()).toBe(0);
    await limiter.close();

    // The platform delivers again to a healthy instance sharing the store: applied, not "duplicate".
    const healthy = setup({}, { store });
    expect((await healthy.invoke([event])).results[0]!.status).toBe("applied");
    expect(eiam.state.getUser(ZHANG)?.displayName).toBe("Through the outage");
  });
});

async function invoke(s: ReturnType<typeof setup>, event: unknown) {
  return s.invoke([event]);
}

describe("invalid events", () => {
  it("dead-letters a second invalid event that reuses an id, and recognises a redelivery of either", async () => {
    const { invoke, records } = setup();
    const first = {
      id: "reused-1",
      source: "hr",
      occurredAt: "not a date",
      user: { userId: ZHANG },
      changes: {},
    };
    const second = { ...first, changes: { displayName: 42 } };
    expect((await invoke([first])).results[0]!.status).toBe("dead_lettered");
    expect((await invoke([second])).results[0]!.status).toBe("dead_lettered");
    expect((await invoke([first, second])).results.map((r) => r.status)).toEqual(["duplicate", "duplicate"]);
    expect(records()).toHaveLength(2);
  });

  it("caps the id of an invalid event in its record and its log line", async () => {
    const { invoke, records, lines } = setup();
    const id = "x".repeat(50_000);
    const event = canonicalEvent({ id });
    const result = await invoke([event]);
    expect(result.results[0]).toMatchObject({ status: "dead_lettered", error: { stage: "validate" } });
    expect(records()[0]!.eventId!.length).toBeLessThan(300);
    const outcome = lines.find((l) => l.includes('"event outcome"'))!;
    expect(outcome.length).toBeLessThan(5_000);
  });
});

describe("verified flags", () => {
  it("marks an email and a phone unverified in EIAM unless the event or its source says so", async () => {
    const plain = setup();
    const email = canonicalEvent({}, { email: "zhang.new@example.com", phone: "+8613800138000" });
    expect((await plain.invoke([email])).results[0]!.status).toBe("applied");
    expect(eiam.state.getUser(ZHANG)).toMatchObject({ emailVerified: false, phoneNumberVerified: false });

    const trusting = setup({ EMAIL_VERIFIED_SOURCES: "workday", PHONE_VERIFIED_SOURCES: "other" });
    const again = canonicalEvent({}, { email: "zhang.newer@example.com", phone: "+8613800138001" });
    expect((await trusting.invoke([again])).results[0]!.status).toBe("applied");
    expect(eiam.state.getUser(ZHANG)).toMatchObject({ emailVerified: true, phoneNumberVerified: false });
  });
});

describe("invisible characters", () => {
  it("dead-letters a display name with a right-to-left override, naming the field and the character", async () => {
    const { invoke } = setup();
    const result = await invoke([canonicalEvent({}, { displayName: "Zhang\u202E\u200BnaS" })]);
    expect(result.results[0]).toMatchObject({
      status: "dead_lettered",
      error: { problems: [{ path: "changes.displayName", code: "invalid_chars" }] },
    });
    expect(result.results[0]!.error!.message).toContain("U+202E");
    expect(updateUserCalls()).toBe(0);
  });
});
