/**
 * Joiners, movers and leavers on real Redis, each FC instance its own process: duplicates, reordering, three
 * instances racing, and a process killed between two operations of one event. Counted in the EIAM emulator's
 * request log: a leaver is disabled exactly once, a joiner created exactly once, and a mover's primary OU changes.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import type { BatchResult } from "../../shared/handler/handle-invocation.ts";
import type { EventOutcome } from "../../shared/pipeline/outcome.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { mnsQueueCloudEvents } from "../helpers/fc-events.ts";
import { runRacingChildren } from "../helpers/race-children.ts";
import { deleteKeysWithPrefix, openTestRedis, REDIS_URL, uniqueKeyPrefix } from "../helpers/redis.ts";

const LEAVER = "user_li4si0000000000000000000";
const MOVER = "user_ada0000000000000000000000";
const KILLED = "user_grace000000000000000000000";
const ENG = "ou_engineering000000000000000";
const SALES = "ou_sales000000000000000000000";
const FIN = "ou_finance0000000000000000000";
const T = Date.parse("2026-11-28T08:00:00Z");

let eiam: EiamEmulator;
let redis: Redis;
let dir: string;
let prefix: string;
const prefixes: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eiam-sync-lifecycle-once-"));
  eiam = await startDemoEiam();
  redis = openTestRedis();
});
afterAll(async () => {
  for (const p of prefixes) await deleteKeysWithPrefix(redis, p);
  redis.disconnect();
  await eiam.close();
});
beforeEach(() => {
  eiam.state.reset();
  prefix = uniqueKeyPrefix("lifecycle");
  prefixes.push(prefix);
  // The mover starts in Sales.
  const mover = eiam.state.getUser(MOVER)!;
  eiam.state.directory.put({ ...mover, primaryOrganizationalUnitId: SALES, organizationalUnitIds: [SALES] });
});

function event(id: string, atMs: number, user: Record<string, unknown>, changes: Record<string, unknown>) {
  return { id, source: "hr", occurredAt: new Date(atMs).toISOString(), user, changes };
}

function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
    EIAM_ENDPOINT: eiam.endpoint,
    EIAM_PROTOCOL: "http",
    WEBHOOK_AUTH: "none",
    DEAD_LETTER_FILE: join(dir, `dlq-${randomUUID()}.jsonl`),
    IDEMPOTENCY_STORE: "redis",
    REDIS_URL,
    IDEMPOTENCY_KEY_PREFIX: prefix,
    UNKNOWN_USER: "create",
    DEFAULT_ORGANIZATIONAL_UNIT_ID: ENG,
    EIAM_RETRY_BASE_MS: "5",
    EIAM_RETRY_MAX_MS: "20",
    LOG_LEVEL: "error",
    ...extra,
  };
}

function writeBatch(events: readonly unknown[]): string {
  const file = join(dir, `batch-${randomUUID()}.json`);
  writeFileSync(file, mnsQueueCloudEvents(events.map((e) => JSON.stringify(e))));
  return file;
}

type ChildResult = Array<{ ok: boolean; result?: BatchResult; error?: string }>;

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

const succeeded = (action: string, userId?: string) =>
  eiam.state.requestLog.filter(
    (e) => e.action === action && e.status === 200 && (userId === undefined || e.params.UserId === userId),
  ).length;

describe("joiners, movers and leavers on Redis", () => {
  it("with duplicates, reordering and three racing instances: one DisableUser, one CreateUser, the mover moved", async () => {
    const leaver = event(
      "leave-1",
      T + 2000,
      { userId: LEAVER },
      { displayName: "Li Si (left)", status: "disabled" },
    );
    const joiner = event(
      "join-1",
      T,
      { externalId: "hr-3001" },
      { username: "wang.wu", displayName: "Wang Wu", email: "wang.wu@example.com" },
    );
    const joinerLater = event(
      "join-2",
      T + 5000,
      { externalId: "hr-3001" },
      { displayName: "Wang Wu (Platform)" },
    );
    const moverOld = event(
      "move-1",
      T,
      { userId: MOVER },
      { primaryOrganizationalUnit: { name: "Engineering" } },
    );
    const moverNew = event(
      "move-2",
      T + 1000,
      { userId: MOVER },
      {
        primaryOrganizationalUnit: { externalId: "dept-fin" },
        organizationalUnits: { remove: [{ id: SALES }] },
      },
    );
    // Newest first and duplicated: each instance sees every event, some twice, in another order.
    const batches = [
      [leaver, moverNew, joinerLater, joiner, moverOld, leaver],
      [joiner, leaver, moverOld, moverNew, joinerLater, joiner],
      [moverNew, joinerLater, moverOld, leaver, joiner, moverNew],
    ].map(writeBatch);
    await children(batches.map((file) => ["--race", file]));
    // The platform redelivers until every instance's batch has succeeded.
    for (let round = 0; round < 5; round++) {
      const results = await children(batches.map((file) => [file]));
      if (results.every((r) => r[0]!.ok)) break;
    }
    const final = await children([[batches[0]!]]);
    expect(final[0]![0]!.ok).toBe(true);
    const statuses = final[0]![0]!.result!.results.map((o) => o.status);
    expect(statuses.every((s) => s === "duplicate")).toBe(true);

    expect(succeeded("DisableUser", LEAVER)).toBe(1);
    expect(eiam.state.getUser(LEAVER)).toMatchObject({ status: "disabled", displayName: "Li Si (left)" });

    expect(succeeded("CreateUser")).toBe(1);
    const created = eiam.state.listUsers().filter((u) => u.userExternalId === "hr-3001");
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ username: "wang.wu", primaryOrganizationalUnitId: ENG });
    expect(created[0]!.displayName).toBe("Wang Wu (Platform)");

    // The older move arrived after the newer one in some orders: the newer primary OU wins.
    expect(eiam.state.getUser(MOVER)).toMatchObject({ primaryOrganizationalUnitId: FIN });
    expect(eiam.state.getUser(MOVER)!.organizationalUnitIds).not.toContain(SALES);
  }, 90_000);

  it("resumes a leaver whose process was killed between UpdateUser and DisableUser: each is sent once", async () => {
    const leaver = event(
      "leave-killed",
      T,
      { userId: KILLED },
      { displayName: "Grace (left)", status: "disabled" },
    );
    const file = writeBatch([leaver]);
    // The UpdateUser goes through; the DisableUser is held until the process is killed (never applied).
    eiam.state.setFaults({
      failNext: [
        { kind: "pass", count: 1 },
        { kind: "timeout", count: 1 },
      ],
      timeoutHoldMs: 20_000,
    });
    const env = { ...process.env, ...childEnv({ CHILD_FUNCTION_TIMEOUT: "8", DEADLINE_MARGIN_MS: "500" }) };
    const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/invoke-child.ts", file], { env });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
    });
    const deadline = Date.now() + 40_000;
    while (!eiam.state.requestLog.some((e) => e.action === "DisableUser")) {
      if (Date.now() > deadline) {
        const log = eiam.state.requestLog.map((e) => `${e.action}:${e.status}:${e.fault ?? ""}`);
        throw new Error(`DisableUser was never sent: ${log.join(" ")} ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    const killedAt = Date.now();
    await new Promise((r) => child.on("exit", r));
    eiam.state.clearFaults();
    expect(eiam.state.getUser(KILLED)).toMatchObject({ status: "enabled", displayName: "Grace (left)" });

    // Once the dead invocation's lease lapses, the redelivery resumes at the DisableUser.
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + 8_100 - Date.now())));
    // The platform redelivers until the invocation succeeds (a live lease answers "deferred" meanwhile).
    let outcome: EventOutcome | undefined;
    for (let round = 0; round < 5 && outcome?.status !== "applied"; round++) {
      const later = await children([[file]], { CHILD_FUNCTION_TIMEOUT: "8", DEADLINE_MARGIN_MS: "500" });
      outcome = later[0]![0]!.result!.results[0];
      if (outcome?.status === "deferred") await new Promise((r) => setTimeout(r, 1000));
    }
    // Only the DisableUser is left to do: the UpdateUser was recorded before the kill.
    expect(outcome).toMatchObject({
      status: "applied",
      fields: ["status"],
      operations: [{ action: "DisableUser", status: "applied" }],
    });
    expect(succeeded("UpdateUser", KILLED)).toBe(1);
    expect(succeeded("DisableUser", KILLED)).toBe(1);
    expect(eiam.state.getUser(KILLED)!.status).toBe("disabled");
  }, 60_000);
});
