/**
 * The smallest form of what the chaos run's request-log oracle found with Redis faults: EIAM applies a newer
 * change, and Redis goes away before the function records it. The invocation fails (fail closed) and the
 * platform will deliver it again, but meanwhile, once the user's lease lapses, an older change of the same
 * field finds no record of the newer one and is written over it; the newer one is then written a second time.
 * EIAM holds the older value in between, and the newer change is applied twice.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_INSTANCE_ID, DEMO_USERS } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import { handleInvocation } from "../../shared/handler/handle-invocation.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { canonicalEvent, fcContext } from "../helpers/fc-events.ts";
import { deleteKeysWithPrefix, openTestRedis, REDIS_URL } from "../helpers/redis.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";
import { mnsQueueBatch } from "./support/mns-cloud-events.ts";

const LI = DEMO_USERS[1]!.userId;
const TIMEOUT_S = 10;

let eiam: EiamEmulator;
let redisProxy: TcpProxy;
let runtime: Runtime;
let keyPrefix: string;
let clock = Date.now();
/** Called by the emulator for each request it handled, after applying it and before answering. */
let onEiamRequest: ((line: string) => void) | undefined;

beforeAll(async () => {
  eiam = await startDemoEiam({ log: (line) => onEiamRequest?.(line) });
  const redisUrl = new URL(REDIS_URL);
  redisProxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
  redisUrl.hostname = "127.0.0.1";
  redisUrl.port = String(redisProxy.port);
  keyPrefix = `rel-store-lost:${randomUUID().slice(0, 8)}:`;
  runtime = createRuntime(
    {
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
      DEAD_LETTER_FILE: "/dev/null",
      IDEMPOTENCY_STORE: "redis",
      REDIS_URL: redisUrl.toString(),
      IDEMPOTENCY_KEY_PREFIX: keyPrefix,
      EIAM_RETRY_BASE_MS: "5",
      EIAM_RETRY_MAX_MS: "20",
    },
    { now: () => clock, logger: createLogger({ level: "error", sink: () => undefined }) },
  );
});

afterAll(async () => {
  await runtime?.store.close();
  await runtime?.limiter.close();
  await eiam?.close();
  await redisProxy?.close();
  const redis = openTestRedis();
  await deleteKeysWithPrefix(redis, keyPrefix);
  redis.disconnect();
});

async function invoke(event: Record<string, unknown>, startedAt: number): Promise<string> {
  const batch = mnsQueueBatch([{ messageId: String(event.id), body: JSON.stringify(event) }]);
  const context = fcContext({ function: { name: "eiam-user-sync", timeout: TIMEOUT_S } });
  try {
    const answer = await handleInvocation(batch, context, runtime, startedAt);
    return "results" in answer ? answer.results.map((o) => o.status).join(",") : "http";
  } catch (err) {
    return `threw ${(err as Error).name}`;
  }
}

/** The display names EIAM took, in order, each change of value once (a call that sets the same value again changes nothing). */
const displayNameChanges = () =>
  eiam.state.requestLog
    .filter((e) => e.action === "UpdateUser" && e.status === 200 && e.params.UserId === LI)
    .map((e) => e.params.DisplayName)
    .filter((name, i, all) => i === 0 || name !== all[i - 1]);

it("a newer change EIAM applied while Redis went away is not overwritten by an older one, nor applied twice", async () => {
  const base = Date.UTC(2026, 6, 1);
  const user = { userId: LI };
  const newer = canonicalEvent(
    { user, occurredAt: new Date(base + 60_000).toISOString() },
    { displayName: "Newer Kept" },
  );
  const older = canonicalEvent(
    { user, occurredAt: new Date(base).toISOString() },
    { displayName: "Older Lost" },
  );

  // EIAM has applied the newer change and is about to answer: Redis disappears right then.
  onEiamRequest = (line) => {
    if (line.includes(" UpdateUser ")) {
      onEiamRequest = undefined;
      redisProxy.refuse();
    }
  };
  const startNewer = clock;
  expect(await invoke(newer, startNewer)).toMatch(/^threw /);
  redisProxy.resume();
  expect(eiam.state.getUser(LI)?.displayName).toBe("Newer Kept");

  // Later (the failed invocation's leases have lapsed), the older change arrives, then the newer one again.
  clock = startNewer + TIMEOUT_S * 1000 + 1;
  await invoke(older, clock);
  expect(eiam.state.getUser(LI)?.displayName).toBe("Newer Kept");
  await invoke(newer, clock);
  expect(eiam.state.getUser(LI)?.displayName).toBe("Newer Kept");
  expect(displayNameChanges()).toEqual(["Newer Kept"]);
});
