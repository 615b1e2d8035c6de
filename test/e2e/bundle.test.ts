/**
 * The deployable bundle: built by `npm run build`, copied where no node_modules can be found, loaded by plain
 * `node`, configured only by environment variables, it applies a canonical event through the given endpoint.
 */
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import { type MnsEmulator, startMnsEmulator } from "../../local/mns-emulator/server.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { canonicalEvent, mnsQueueCloudEvents } from "../helpers/fc-events.ts";
import { deleteKeysWithPrefix, openTestRedis, REDIS_URL, uniqueKeyPrefix } from "../helpers/redis.ts";

let eiam: EiamEmulator;
let mns: MnsEmulator;
let dir: string;

beforeAll(async () => {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "pipe" });
  dir = mkdtempSync(join(tmpdir(), "eiam-sync-bundle-"));
  // FC deploys the folder: the entry and the chunks it imports.
  for (const file of readdirSync("dist/user-sync").filter((f) => f.endsWith(".mjs"))) {
    copyFileSync(join("dist/user-sync", file), join(dir, file));
  }
  eiam = await startDemoEiam();
  mns = await startMnsEmulator({ credentials: [DEMO_CREDENTIALS], topics: [{ name: "dlq" }] });
}, 60_000);

afterAll(async () => {
  await Promise.all([eiam.close(), mns.close()]);
});

/** Runs the bundle in a fresh `node` with only the given environment; returns what the handler answered. */
async function runBundle(event: Buffer, env: Record<string, string>, options = { initializer: false }) {
  const script = `
    const { handler, initializer } = await import(${JSON.stringify(join(dir, "index.mjs"))});
    if (${options.initializer}) await initializer({ function: { name: "eiam-user-sync", memory: 128 } });
    const result = await handler(Buffer.from(process.env.EVENT, "base64"), {
      requestId: "bundle-test", function: { name: "eiam-user-sync", timeout: 20 },
    });
    process.stdout.write("RESULT " + JSON.stringify(result) + "\\n");
    process.exit(0);
  `;
  const child = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        EVENT: event.toString("base64"),
        EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
        EIAM_ENDPOINT: eiam.endpoint,
        EIAM_PROTOCOL: "http",
        ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_CREDENTIALS.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d));
    p.stderr.on("data", (d: Buffer) => (stderr += d));
    p.on("close", (status) => resolve({ status, stdout, stderr }));
  });
  expect(child.stderr).toBe("");
  expect(child.status).toBe(0);
  const line = child.stdout.split("\n").find((l) => l.startsWith("RESULT "))!;
  return JSON.parse(line.slice(7)) as { results: Array<{ status: string; deadLetterId?: string }> };
}

it("is an ESM folder that plain node loads with no node_modules and that applies an event", async () => {
  // A small entry (the middy chain) and the core in chunks it imports when the instance is built.
  const files = readdirSync(dir).filter((f) => f.endsWith(".mjs"));
  expect(files.length).toBeGreaterThan(1);
  expect(statSync(join(dir, "index.mjs")).size).toBeLessThan(20_000);
  const total = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  expect(total).toBeGreaterThan(100_000);
  const event = canonicalEvent({}, { displayName: "From The Bundle", customFields: { nick_name: "bundle" } });
  const result = await runBundle(Buffer.from(JSON.stringify(event)), {
    DEAD_LETTER_FILE: join(dir, "dead-letters.jsonl"),
  });
  expect(result.results[0]!.status).toBe("applied");
  expect(eiam.state.getUser("user_d6sbsuumeta4h66ec3il7yxxxx")).toMatchObject({
    displayName: "From The Bundle",
    customFields: { nick_name: "bundle" },
  });
}, 60_000);

it("uses Redis and the MNS dead-letter topic from the bundle too", async () => {
  const prefix = uniqueKeyPrefix("bundle");
  const good = canonicalEvent({}, { displayName: "Bundle With Redis" });
  const bad = canonicalEvent({ id: "bundle-bad" }, { phone: "not a phone <&>" });
  const event = mnsQueueCloudEvents([JSON.stringify(good), JSON.stringify(bad)]);
  const env = {
    IDEMPOTENCY_STORE: "redis",
    REDIS_URL,
    IDEMPOTENCY_KEY_PREFIX: prefix,
    DEAD_LETTER_TOPIC: "dlq",
    MNS_ACCOUNT_ID: mns.accountId,
    MNS_ENDPOINT: mns.url,
    LOG_LEVEL: "error",
  };
  const redis = openTestRedis();
  try {
    // This instance is built by FC's initializer first, as s.yaml deploys it.
    const first = await runBundle(event, env, { initializer: true });
    expect(first.results.map((r) => r.status)).toEqual(["applied", "dead_lettered"]);
    expect(first.results[1]!.deadLetterId).toBe(mns.state.topicMessages("dlq")[0]!.messageId);
    expect(JSON.parse(mns.state.topicMessages("dlq")[0]!.body)).toMatchObject({ eventId: "bundle-bad" });
    // A second instance sees the first one's claim in Redis.
    const again = await runBundle(event, env);
    expect(again.results[0]!.status).toBe("duplicate");
    expect(eiam.state.getUser("user_d6sbsuumeta4h66ec3il7yxxxx")?.displayName).toBe("Bundle With Redis");
  } finally {
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  }
}, 60_000);
