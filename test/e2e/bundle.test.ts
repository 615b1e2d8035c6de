/**
 * The deployable bundle: built by `npm run build`, copied where no node_modules can be found, loaded by plain
 * `node`, configured only by environment variables, it applies a canonical event through the given endpoint.
 */
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_CREDENTIALS, DEMO_CUSTOM_FIELDS, DEMO_INSTANCE_ID, DEMO_USERS } from "../../local/demo-data.ts";
import { type EiamEmulator, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import { canonicalEvent } from "../helpers/fc-events.ts";

let eiam: EiamEmulator;
let dir: string;

beforeAll(async () => {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "pipe" });
  dir = mkdtempSync(join(tmpdir(), "eiam-sync-bundle-"));
  copyFileSync("dist/user-sync/index.mjs", join(dir, "index.mjs"));
  eiam = await startEiamEmulator({
    instanceIds: [DEMO_INSTANCE_ID],
    credentials: [DEMO_CREDENTIALS],
    users: DEMO_USERS,
    customFields: DEMO_CUSTOM_FIELDS,
  });
}, 60_000);

afterAll(async () => {
  await eiam.close();
});

it("is one ESM file that plain node loads with no node_modules and that applies an event", async () => {
  expect(statSync(join(dir, "index.mjs")).size).toBeGreaterThan(10_000);
  const event = canonicalEvent({}, { displayName: "From The Bundle", customFields: { nick_name: "bundle" } });
  const script = `
    const { handler } = await import(${JSON.stringify(join(dir, "index.mjs"))});
    const result = await handler(Buffer.from(process.env.EVENT), {
      requestId: "bundle-test", function: { name: "eiam-user-sync", timeout: 20 },
    });
    process.stdout.write("RESULT " + JSON.stringify(result) + "\\n");
  `;
  // Run asynchronously: the emulator answers from this process.
  const child = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        EVENT: JSON.stringify(event),
        EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
        EIAM_ENDPOINT: eiam.endpoint,
        EIAM_PROTOCOL: "http",
        ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_CREDENTIALS.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
        DEAD_LETTER_FILE: join(dir, "dead-letters.jsonl"),
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
  const result = JSON.parse(line.slice(7)) as { results: Array<{ status: string }> };
  expect(result.results[0]!.status).toBe("applied");
  expect(eiam.state.getUser("user_d6sbsuumeta4h66ec3il7yxxxx")).toMatchObject({
    displayName: "From The Bundle",
    customFields: { nick_name: "bundle" },
  });
}, 60_000);
