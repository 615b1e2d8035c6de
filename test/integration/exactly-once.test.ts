/**
 * Exactly-once effect under at-least-once delivery: duplicates, reordering, parallel instances, a crash between
 * UpdateUser and the bookkeeping, a reused id, the deadline, one quota for many processes.
 * The EIAM emulator's final state is compared with an oracle: per user and field, the newest change wins.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_CUSTOM_FIELDS, DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import { type EiamEmulator, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import {
  type BatchResult,
  DeferredEventsError,
  handleInvocation,
} from "../../shared/handler/handle-invocation.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import type { EventOutcome } from "../../shared/pipeline/outcome.ts";
import { bucketWithin } from "../../shared/rate-limit/limiter.ts";
import { fcContext, mnsQueueCloudEvents } from "../helpers/fc-events.ts";
import { runRacingChildren } from "../helpers/race-children.ts";
import { deleteKeysWithPrefix, openTestRedis, REDIS_URL, uniqueKeyPrefix } from "../helpers/redis.ts";

const USERS = Array.from({ length: 30 }, (_, i) => `user_${String(i).padStart(26, "0")}`);
const BASE_TIME = Date.parse("2026-11-28T08:00:00Z");

interface Change {
  id: string;
  source: string;
  occurredAt: string;
  user: { userId: string };
  changes: { displayName?: string; customFields?: Record<string, string | null> };
}

let eiam: EiamEmulator;
let dir: string;
let seq = 0;

function change(userId: string, atMs: number, changes: Change["changes"]): Change {
  seq += 1;
  return {
    id: `chg-${seq}`,
    source: "hr",
    occurredAt: new Date(atMs).toISOString(),
    user: { userId },
    changes,
  };
}

/** A random change to one or two fields of a random user, at a random time. */
function randomChange(random: () => number): Change {
  const user = USERS[Math.floor(random() * USERS.length)]!;
  const at = BASE_TIME + Math.floor(random() * 3_600_000);
  const pick = random();
  if (pick < 0.4) return change(user, at, { displayName: `Name ${Math.floor(random() * 1e6)}` });
  if (pick < 0.7)
    return change(user, at, { customFields: { nick_name: `nick${Math.floor(random() * 1e6)}` } });
  if (pick < 0.85)
    return change(user, at, {
      customFields: { cost_center: random() < 0.3 ? null : `cc${Math.floor(random() * 100)}` },
    });
  return change(user, at, {
    displayName: `Both ${Math.floor(random() * 1e6)}`,
    customFields: { nick_name: `b${at}` },
  });
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** What EIAM must hold after every change was applied once, in time order, field by field. */
function oracle(changes: readonly Change[]): Map<string, Record<string, string | null>> {
  const newest = new Map<string, { key: [number, string]; value: string | null }>();
  for (const c of changes) {
    const key: [number, string] = [Date.parse(c.occurredAt), c.id];
    const fields: Record<string, string | null> = {};
    if (c.changes.displayName !== undefined) fields.displayName = c.changes.displayName;
    for (const [k, v] of Object.entries(c.changes.customFields ?? {})) fields[`custom.${k}`] = v;
    for (const [field, value] of Object.entries(fields)) {
      const slot = `${c.user.userId}|${field}`;
      const seen = newest.get(slot);
      if (seen === undefined || key[0] > seen.key[0] || (key[0] === seen.key[0] && key[1] > seen.key[1])) {
        newest.set(slot, { key, value });
      }
    }
  }
  const out = new Map<string, Record<string, string | null>>();
  for (const [slot, { value }] of newest) {
    const [user, field] = slot.split("|") as [string, string];
    out.set(user, { ...out.get(user), [field]: value });
  }
  return out;
}

function expectMatchesOracle(changes: readonly Change[]) {
  for (const [userId, fields] of oracle(changes)) {
    const user = eiam.state.getUser(userId)!;
    for (const [field, value] of Object.entries(fields)) {
      const actual = field === "displayName" ? user.displayName : user.customFields[field.slice(7)];
      expect({ userId, field, value: actual ?? null }).toEqual({ userId, field, value });
    }
  }
}

function updateUserCalls(): number {
  return eiam.state.requestLog.filter((e) => e.action === "UpdateUser" && e.status === 200).length;
}

function batchOf(changes: readonly Change[]): Buffer {
  return mnsQueueCloudEvents(changes.map((c) => JSON.stringify(c)));
}

function newRuntime(env: Record<string, string> = {}): Runtime {
  return createRuntime(
    {
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      WEBHOOK_AUTH: "none",
      DEAD_LETTER_FILE: join(dir, `dlq-${randomUUID()}.jsonl`),
      EIAM_RETRY_BASE_MS: "1",
      EIAM_RETRY_MAX_MS: "5",
      EIAM_MAX_QPS: "10000",
      ...env,
    },
    { logger: createLogger({ sink: () => undefined }) },
  );
}

/** Invokes like the platform: a batch whose invocation failed is delivered again, until it succeeds. */
async function deliverUntilDone(
  runtime: Runtime,
  batch: Buffer,
  timeoutSeconds = 30,
): Promise<EventOutcome[][]> {
  const rounds: EventOutcome[][] = [];
  for (let attempt = 0; attempt < 10; attempt++) {
    const context = fcContext({ function: { name: "eiam-user-sync", timeout: timeoutSeconds } });
    try {
      const result = (await handleInvocation(batch, context, runtime, Date.now())) as BatchResult;
      rounds.push(result.results);
      return rounds;
    } catch (err) {
      if (!(err instanceof DeferredEventsError)) throw err;
      rounds.push(err.result.results);
    }
  }
  throw new Error("the batch never completed");
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eiam-sync-once-"));
  eiam = await startEiamEmulator({
    instanceIds: [DEMO_INSTANCE_ID],
    credentials: [DEMO_CREDENTIALS],
    users: USERS.map((userId, i) => ({ userId, username: `user${i}`, displayName: `User ${i}` })),
    customFields: DEMO_CUSTOM_FIELDS,
  });
});

afterAll(async () => {
  await eiam.close();
});

beforeEach(() => {
  eiam.state.reset();
  eiam.state.clearFaults();
  eiam.state.clearRequestLog();
});

describe("one instance (in-memory store)", () => {
  it("applies a change once when it is delivered twice in one batch and again in the next", async () => {
    const runtime = newRuntime();
    const a = change(USERS[0]!, BASE_TIME, { displayName: "A" });
    const b = change(USERS[1]!, BASE_TIME, { customFields: { nick_name: "b" } });
    const first = await deliverUntilDone(runtime, batchOf([a, b, a]));
    expect(first[0]!.map((o) => o.status)).toEqual(["applied", "applied", "duplicate"]);
    expect(updateUserCalls()).toBe(2);

    const again = await deliverUntilDone(runtime, batchOf([b, a]));
    expect(again[0]!.map((o) => o.status)).toEqual(["duplicate", "duplicate"]);
    expect(updateUserCalls()).toBe(2);
  });

  it("ends in the oracle's state whatever the order, with one outcome per event", async () => {
    const random = seeded(42);
    const changes = Array.from({ length: 300 }, () => randomChange(random));
    const deliveries = [...changes, ...changes.slice(0, 60)].sort(() => random() - 0.5);
    const runtime = newRuntime();
    const outcomes: EventOutcome[] = [];
    for (let i = 0; i < deliveries.length; i += 50) {
      const rounds = await deliverUntilDone(runtime, batchOf(deliveries.slice(i, i + 50)));
      outcomes.push(...rounds.at(-1)!);
    }
    expect(outcomes).toHaveLength(deliveries.length);
    const statuses = new Set(outcomes.map((o) => o.status));
    expect([...statuses].every((s) => ["applied", "duplicate", "stale", "noop"].includes(s))).toBe(true);
    expect(outcomes.filter((o) => o.status === "duplicate")).toHaveLength(60);
    expect(statuses.has("stale")).toBe(true);
    expectMatchesOracle(changes);
  });

  it("applies older changes to other fields, and skips only the fields a newer change wrote", async () => {
    const runtime = newRuntime();
    const newer = change(USERS[2]!, BASE_TIME + 1000, { displayName: "Newer" });
    const older = change(USERS[2]!, BASE_TIME, { displayName: "Older", customFields: { nick_name: "kept" } });
    await deliverUntilDone(runtime, batchOf([newer]));
    const [round] = await deliverUntilDone(runtime, batchOf([older]));
    expect(round![0]).toMatchObject({
      status: "applied",
      fields: ["customFields.nick_name"],
      staleFields: ["displayName"],
    });
    expect(eiam.state.getUser(USERS[2]!)).toMatchObject({
      displayName: "Newer",
      customFields: { nick_name: "kept" },
    });
    const stale = change(USERS[2]!, BASE_TIME - 1, { displayName: "Oldest" });
    expect((await deliverUntilDone(runtime, batchOf([stale])))[0]![0]!.status).toBe("stale");
  });

  it("does not call EIAM for a value it already wrote (noop)", async () => {
    const runtime = newRuntime();
    await deliverUntilDone(runtime, batchOf([change(USERS[3]!, BASE_TIME, { displayName: "Same" })]));
    const calls = updateUserCalls();
    const [round] = await deliverUntilDone(
      runtime,
      batchOf([change(USERS[3]!, BASE_TIME + 1, { displayName: "Same" })]),
    );
    expect(round![0]!.status).toBe("noop");
    expect(updateUserCalls()).toBe(calls);
  });

  it("refuses an id reused with a different change: not applied, dead-lettered", async () => {
    const runtime = newRuntime();
    const original = change(USERS[4]!, BASE_TIME, { displayName: "Original" });
    await deliverUntilDone(runtime, batchOf([original]));
    const reused = { ...original, changes: { displayName: "Impostor" } };
    const [round] = await deliverUntilDone(runtime, batchOf([reused]));
    expect(round![0]).toMatchObject({
      status: "dead_lettered",
      error: { code: "IdempotencyKeyConflict", retryable: false },
    });
    expect(eiam.state.getUser(USERS[4]!)?.displayName).toBe("Original");
  });

  it("hands back what it cannot finish before the deadline, and finishes it on redelivery", async () => {
    const runtime = newRuntime({ DEADLINE_MARGIN_MS: "200" });
    eiam.state.setFaults({ latencyMs: 150 });
    const changes = Array.from({ length: 12 }, (_, i) =>
      change(USERS[5]!, BASE_TIME + i, { displayName: `Step ${i}` }),
    );
    const batch = batchOf(changes);
    const context = fcContext({ function: { name: "eiam-user-sync", timeout: 1 } });
    const err = await handleInvocation(batch, context, runtime, Date.now()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeferredEventsError);
    const first = (err as DeferredEventsError).result.results;
    const applied = first.filter((o) => o.status === "applied").length;
    expect(applied).toBeGreaterThan(0);
    expect(first.filter((o) => o.status === "deferred").length).toBe(12 - applied);

    eiam.state.clearFaults();
    const [round] = await deliverUntilDone(runtime, batch);
    expect(round!.filter((o) => o.status === "duplicate")).toHaveLength(applied);
    expect(round!.filter((o) => o.status === "applied")).toHaveLength(12 - applied);
    expect(eiam.state.getUser(USERS[5]!)?.displayName).toBe("Step 11");
  });
});

describe("several instances sharing Redis", () => {
  const redis = openTestRedis();
  const prefixes: string[] = [];
  let prefix = "";

  beforeEach(() => {
    prefix = uniqueKeyPrefix("once");
    prefixes.push(prefix);
  });

  afterAll(async () => {
    for (const p of prefixes) await deleteKeysWithPrefix(redis, p);
    redis.disconnect();
  });

  function childEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: process.env.PATH ?? "",
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      WEBHOOK_AUTH: "none",
      DEAD_LETTER_FILE: join(dir, "dlq-children.jsonl"),
      IDEMPOTENCY_STORE: "redis",
      REDIS_URL,
      IDEMPOTENCY_KEY_PREFIX: prefix,
      EIAM_RETRY_BASE_MS: "5",
      EIAM_RETRY_MAX_MS: "20",
      LOG_LEVEL: "error",
      ...extra,
    };
  }

  function writeBatch(changes: readonly Change[]): string {
    const file = join(dir, `batch-${randomUUID()}.json`);
    writeFileSync(file, batchOf(changes));
    return file;
  }

  type ChildResult = Array<{ ok: boolean; result?: BatchResult; error?: string; message?: string }>;

  /** Runs the children (separate FC instances) with the function's environment. */
  async function children(
    argsPerChild: string[][],
    extra: Record<string, string> = {},
  ): Promise<ChildResult[]> {
    const saved = { ...process.env };
    Object.assign(process.env, childEnv(extra));
    try {
      return (await runRacingChildren("test/helpers/invoke-child.ts", argsPerChild)) as ChildResult[];
    } finally {
      process.env = saved;
    }
  }

  it("applies each change once when three processes get the same batch at the same time", async () => {
    const random = seeded(7);
    const changes = Array.from({ length: 40 }, () => randomChange(random));
    const file = writeBatch(changes);
    const results = await children([
      ["--race", file],
      ["--race", file],
      ["--race", file],
    ]);
    const outcomes = results.flatMap((r) => r[0]!.result!.results);
    const appliedIds = outcomes.filter((o) => o.status === "applied").map((o) => o.eventId);
    // Every change was applied by exactly one process; the others saw a duplicate or handed it back.
    expect(new Set(appliedIds).size).toBe(appliedIds.length);
    for (const o of outcomes)
      expect(["applied", "duplicate", "deferred", "stale", "noop"]).toContain(o.status);

    // The platform redelivers the failed invocations; then everything is done, nothing applied twice.
    const redelivery = await children([["--race", file]]);
    const final = redelivery[0]![0]!.result!.results;
    expect(final.every((o) => ["duplicate", "applied", "stale", "noop"].includes(o.status))).toBe(true);
    const appliedOverall = [
      ...appliedIds,
      ...final.filter((o) => o.status === "applied").map((o) => o.eventId),
    ];
    expect(new Set(appliedOverall).size).toBe(appliedOverall.length);
    expect(updateUserCalls()).toBe(appliedOverall.length);
    expectMatchesOracle(changes);
  }, 60_000);

  it("re-applies a change whose process died between UpdateUser and recording it, once its lease lapses", async () => {
    const target = change(USERS[6]!, BASE_TIME, { displayName: "Survives A Crash" });
    const file = writeBatch([target]);
    eiam.state.setFaults({ failNext: [{ kind: "timeout-after-apply", count: 1 }], timeoutHoldMs: 20_000 });
    const env = { ...process.env, ...childEnv({ CHILD_FUNCTION_TIMEOUT: "15", DEADLINE_MARGIN_MS: "500" }) };
    const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/invoke-child.ts", file], { env });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    // Wait until EIAM holds the change, then kill the process before it can record it.
    const deadline = Date.now() + 15_000;
    while (eiam.state.getUser(USERS[6]!)?.displayName !== "Survives A Crash") {
      if (Date.now() > deadline) throw new Error(`the change never reached EIAM: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    const killedAt = Date.now();
    await new Promise((r) => child.on("exit", r));
    eiam.state.clearFaults();

    // Redelivered at once: the dead process's lease is still live, so the change is handed back, not doubled.
    const crashEnv = { CHILD_FUNCTION_TIMEOUT: "15", DEADLINE_MARGIN_MS: "500" };
    const soon = await children([[file]], crashEnv);
    expect(soon[0]![0]).toMatchObject({ ok: false, error: "DeferredEventsError" });
    expect(soon[0]![0]!.result!.results[0]).toMatchObject({
      status: "deferred",
      error: { code: "InProgressElsewhere" },
    });

    // After the lease (until FC would have stopped the dead invocation: 15 s after it started, long enough for a
    // redelivery started on a busy machine to still find it live) lapses, the redelivery applies it again: the
    // same value.
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + 15_100 - Date.now())));
    const later = await children([[file]], crashEnv);
    expect(later[0]![0]!.result!.results[0]).toMatchObject({ status: "applied" });
    expect(eiam.state.getUser(USERS[6]!)?.displayName).toBe("Survives A Crash");
    // And from then on it is a duplicate.
    const after = await children([[file]], crashEnv);
    expect(after[0]![0]!.result!.results[0]!.status).toBe("duplicate");
  }, 60_000);

  it("keeps several processes together under one EIAM quota", async () => {
    const rate = 20;
    const files = [0, 1, 2].map((p) =>
      writeBatch(
        Array.from({ length: 20 }, (_, i) =>
          change(USERS[7 + p * 7 + (i % 7)]!, BASE_TIME + i, { displayName: `Q${p}-${i}` }),
        ),
      ),
    );
    const results = await children(
      files.map((f) => ["--race", f]),
      { EIAM_MAX_QPS: String(rate), EIAM_MAX_CONCURRENCY: "8" },
    );
    expect(results.map((r) => r[0]!.ok)).toEqual([true, true, true]);
    const times = eiam.state.requestLog
      .filter((e) => e.action === "UpdateUser")
      .map((e) => Date.parse(e.time));
    expect(times.length).toBe(60);
    // In any two-second window of arrivals, no more than the bucket allows: its burst plus the rate over the
    // window, widened by 100 ms for the time between a token's grant and the request's arrival (three
    // processes share two cores here, so that gap varies).
    const { burst, ratePerSecond } = bucketWithin(rate);
    let worst = 0;
    for (const t of times) worst = Math.max(worst, times.filter((u) => u >= t && u < t + 2000).length);
    expect(worst).toBeLessThanOrEqual(Math.floor(burst + ratePerSecond * 2.1));
    const span = (Math.max(...times) - Math.min(...times)) / 1000;
    expect(span).toBeGreaterThanOrEqual((60 - burst) / ratePerSecond - 0.2);
  }, 60_000);
});
