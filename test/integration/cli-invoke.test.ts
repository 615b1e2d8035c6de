/**
 * `eiam-user-sync invoke` and `send` against the local stack (real function behind the FC invoke API and the
 * MNS trigger), the target options and exit codes, and the CLI once as a child process through `bin.mjs`.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../local/cli/main.ts";
import { type LocalStack, STACK_NAMES, startLocalStack } from "../../local/stack.ts";
import { canonicalEvent } from "../helpers/fc-events.ts";

const ZHANG = "user_d6sbsuumeta4h66ec3il7yxxxx";
const BIN = resolve(import.meta.dirname, "../../local/cli/bin.mjs");

let stack: LocalStack;
let cwd: string;

function collector() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

async function cli(argv: string[], env: Record<string, string> = {}, dir = cwd) {
  const stdout = collector();
  const stderr = collector();
  const code = await main(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from([]),
    env,
    cwd: dir,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function eventFile(name: string, changes: Record<string, unknown>): { name: string; id: string } {
  const event = canonicalEvent({}, changes);
  writeFileSync(join(cwd, name), JSON.stringify(event));
  return { name, id: event.id };
}

async function until(check: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), "eiam-cli-invoke-"));
  stack = await startLocalStack({
    stateFile: join(cwd, ".local-state", "stack.json"),
    functionEnv: { LOG_LEVEL: "error" },
    trigger: { batchWindowSeconds: 0.1 },
  });
});

afterAll(async () => {
  await stack?.close();
});

describe("invoke", () => {
  it("invokes the local function synchronously and prints its answer", async () => {
    const { name, id } = eventFile("sync.json", { displayName: "Via CLI invoke" });
    const res = await cli(["invoke", name]);
    expect(res.code).toBe(0);
    const answer = JSON.parse(res.stdout) as { results: Array<{ status: string; eventId: string }> };
    expect(answer.results).toEqual([expect.objectContaining({ status: "applied", eventId: id })]);
    expect(res.stderr).toMatch(/^request id [0-9a-f-]{36}$/m);
    expect(stack.eiam.state.getUser(ZHANG)?.displayName).toBe("Via CLI invoke");
  });

  it("invokes asynchronously with --async through the FC 3.0 API", async () => {
    const { name } = eventFile("async.json", { displayName: "Via CLI async" });
    const res = await cli(["invoke", "--async", name]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(
      /^accepted \(async\) by the local function eiam-user-sync at \S+ \(FC 3\.0 API\)/,
    );
    await until(() => stack.eiam.state.getUser(ZHANG)?.displayName === "Via CLI async");
  });

  it("invokes an FC 2.0 service with --api fc2", async () => {
    const { name } = eventFile("fc2.json", { displayName: "Via the FC 2.0 API" });
    const res = await cli(["invoke", "--api", "fc2", "--async", name]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/by the local function eiam-user-sync\/eiam-user-sync at \S+ \(FC 2\.0 API\)/);
    await until(() => stack.eiam.state.getUser(ZHANG)?.displayName === "Via the FC 2.0 API");
  });

  it("exits 1 with the FC error when the invoke API refuses the call", async () => {
    const fc3 = await cli(["invoke", "--function", "another-function", "sync.json"]);
    expect(fc3.code).toBe(1);
    expect(fc3.stderr).toMatch(
      /Function Compute refused the call: FunctionNotFound: code: 404, function 'another-function'/,
    );
    const fc2 = await cli(["invoke", "--api", "fc2", "--service", "another-service", "sync.json"]);
    expect(fc2.code).toBe(1);
    expect(fc2.stderr).toContain("FCServiceNotFoundError");
    const bad = await cli(["invoke", "--api", "fc1", "sync.json"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--api must be fc3 or fc2");
  });
});

describe("send", () => {
  it("sends an event file to the source queue, where the MNS trigger delivers it", async () => {
    const { name } = eventFile("queued.json", { customFields: { cost_center: "CC-7 & <more>" } });
    const res = await cli(["send", name]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^sent message [0-9A-F]{32} to eiam-user-changes$/m);
    await until(() => stack.eiam.state.getUser(ZHANG)?.customFields?.cost_center === "CC-7 & <more>");
  });

  it("exits 1 for an empty file", async () => {
    writeFileSync(join(cwd, "empty.json"), "  \n");
    const res = await cli(["send", "empty.json"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("is empty");
  });
});

describe("the trigger's dead-letter queue", () => {
  it("lists a raw message body and redrives it as a direct invocation", async () => {
    const raw = canonicalEvent({}, { displayName: "From the trigger DLQ" });
    stack.mns.state.sendMessage(STACK_NAMES.triggerDeadLetterQueue, { body: JSON.stringify(raw) });
    const queue = ["--dlq-queue", STACK_NAMES.triggerDeadLetterQueue];
    const listed = await cli(["dlq", "list", "--json", ...queue]);
    expect(JSON.parse(listed.stdout)).toMatchObject({
      kind: "raw",
      trigger: "direct",
      eventId: raw.id,
      user: ZHANG,
      stage: "trigger",
    });
    const redriven = await cli(["dlq", "redrive", "--yes", ...queue]);
    expect(redriven.code).toBe(0);
    expect(stack.eiam.state.getUser(ZHANG)?.displayName).toBe("From the trigger DLQ");
    expect(stack.mns.state.queueMessages(STACK_NAMES.triggerDeadLetterQueue)).toEqual([]);
  });
});

describe("the cloud target (pointed at the local stack's endpoints)", () => {
  const cloud = () => ({
    env: {
      FC_ACCOUNT_ID: stack.info.accountId,
      ALIBABA_CLOUD_REGION_ID: stack.info.region,
      ALIBABA_CLOUD_ACCESS_KEY_ID: stack.info.credentials.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: stack.info.credentials.accessKeySecret,
    },
    flags: ["--mns-endpoint", stack.info.endpoints.mns, "--fc-endpoint", stack.info.endpoints.fcApi],
  });

  it("redrives with --to fc asynchronously and deletes each message once FC accepted it", async () => {
    const raw = canonicalEvent({}, { displayName: "Redriven async" });
    stack.mns.state.sendMessage(STACK_NAMES.triggerDeadLetterQueue, { body: JSON.stringify(raw) });
    const { env, flags } = cloud();
    const queue = ["--dlq-queue", STACK_NAMES.triggerDeadLetterQueue];
    const res = await cli(["dlq", "redrive", "--to", "fc", "--yes", ...queue, ...flags], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      "redriven 1, applied 0, accepted by FC (async) 1, still failing 0, skipped 0",
    );
    expect(stack.mns.state.queueMessages(STACK_NAMES.triggerDeadLetterQueue)).toEqual([]);
    await until(() => stack.eiam.state.getUser(ZHANG)?.displayName === "Redriven async");
  });
});

describe("targets and exit codes", () => {
  it("exits 1 with a clear message when there is no local stack", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "eiam-cli-nostack-"));
    const res = await cli(["dlq", "list"], {}, elsewhere);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("no local stack");
    expect(res.stderr).toContain("npm start");
  });

  it("exits 2 when the cloud target lacks a setting, or targets conflict", async () => {
    const missing = await cli(["dlq", "list", "--cloud"], { ALIBABA_CLOUD_REGION_ID: "cn-hangzhou" });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--account-id (or FC_ACCOUNT_ID)");
    const noKey = await cli(["invoke", "--to", "fc", "sync.json"], {
      FC_ACCOUNT_ID: "1234567890123456",
      ALIBABA_CLOUD_REGION_ID: "cn-hangzhou",
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("ALIBABA_CLOUD_ACCESS_KEY_ID");
    expect((await cli(["dlq", "list", "--local", "--cloud"])).code).toBe(2);
    expect((await cli(["invoke", "--to", "moon", "sync.json"])).code).toBe(2);
    expect((await cli(["dlq", "redrive", "--local", "--to", "fc"])).code).toBe(2);
  });

  it("prints help for every command", async () => {
    for (const command of [
      ["dlq", "list"],
      ["dlq", "show"],
      ["dlq", "redrive"],
      ["plan"],
      ["invoke"],
      ["send"],
    ]) {
      const res = await cli([...command, "--help"]);
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`Usage: eiam-user-sync ${command.join(" ")}`);
    }
    const unknown = await cli(["dlq", "purge"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'dlq purge'");
  });
});

describe("bin.mjs", () => {
  function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile(process.execPath, [BIN, ...args], { cwd, timeout: 20_000 }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        done({ code, stdout, stderr });
      });
    });
  }

  it("runs the TypeScript CLI as a child process, with its exit codes", async () => {
    const list = await run(["dlq", "list"]);
    expect(list).toMatchObject({ code: 0, stdout: "no dead letters in eiam-user-sync-dead-letters-q\n" });
    const usage = await run(["dlq", "list", "--nope"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("Unknown option '--nope'");
  });
});
