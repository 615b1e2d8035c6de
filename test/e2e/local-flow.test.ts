/**
 * The README walk-through, end to end on the local cloud: a webhook through the HTTP trigger, queue messages
 * through the MNS trigger (one applied, two dead-lettered through the MNS topic into the operators' queue),
 * the causes fixed in EIAM, the dead letters redriven with the CLI, applied, and gone from the queue.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../local/cli/main.ts";
import { type LocalStack, STACK_NAMES, startLocalStack } from "../../local/stack.ts";

const ZHANG = "user_d6sbsuumeta4h66ec3il7yxxxx";

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

async function cli(...argv: string[]) {
  const stdout = collector();
  const stderr = collector();
  const code = await main(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from([]),
    env: {},
    cwd,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let clock = Date.now();
function event(id: string, user: Record<string, string>, changes: Record<string, unknown>) {
  clock += 1;
  return { id, source: "workday", occurredAt: new Date(clock).toISOString(), user, changes };
}

async function adminPost(path: string, body: unknown): Promise<number> {
  const res = await fetch(`${stack.info.endpoints.eiam}/__admin/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res.status;
}

function deadLetterCount(): number {
  return stack.mns.state.queueMessages(STACK_NAMES.deadLetterQueue).length;
}

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), "eiam-local-flow-"));
  stack = await startLocalStack({
    stateFile: join(cwd, ".local-state", "stack.json"),
    functionEnv: { LOG_LEVEL: "error" },
    trigger: { batchWindowSeconds: 0.2 },
  });
});

afterAll(async () => {
  await stack?.close();
});

describe("the local flow", () => {
  it("applies a webhook sent to the HTTP trigger", async () => {
    const res = await fetch(`${stack.info.endpoints.httpTrigger}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(event("flow-webhook", { userId: ZHANG }, { displayName: "Zhang San (Platform)" })),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "applied", eventId: "flow-webhook" });
    expect(stack.eiam.state.getUser(ZHANG)?.displayName).toBe("Zhang San (Platform)");
  });

  it("applies a good queue message and dead-letters two broken ones, then redrives them once fixed", async () => {
    const files = {
      good: event("flow-good", { userId: ZHANG }, { customFields: { cost_center: "CC-42" } }),
      unknownField: event("flow-badge", { userId: ZHANG }, { customFields: { badge_color: "blue" } }),
      unknownUser: event("flow-newhire", { externalId: "hr-2001" }, { displayName: "New Hire" }),
    };
    for (const [name, body] of Object.entries(files)) {
      writeFileSync(join(cwd, `${name}.json`), JSON.stringify(body));
      const sent = await cli("send", `${name}.json`);
      expect(sent.code).toBe(0);
    }

    // The trigger delivers them; EIAM refuses two, which reach the operators' queue through the topic.
    await until(
      () => stack.eiam.state.getUser(ZHANG)?.customFields?.cost_center === "CC-42",
      "the good change",
    );
    await until(() => deadLetterCount() === 2, "two dead letters");
    await until(
      () => stack.mns.state.queueMessages(STACK_NAMES.sourceQueue).length === 0,
      "the trigger to delete",
    );

    const listed = await cli("dlq", "list", "--json");
    expect(listed.code).toBe(0);
    const rows = listed.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { eventId: string; code: string; trigger: string; user: string });
    expect(rows.map((r) => [r.eventId, r.trigger, r.code]).sort()).toEqual([
      ["flow-badge", "mns-queue", "InvalidParameter.CustomFields.FieldName"],
      ["flow-newhire", "mns-queue", "UserNotFound"],
    ]);
    expect(rows.find((r) => r.eventId === "flow-newhire")?.user).toBe("externalId:hr-2001");

    // Fix both causes in EIAM: define the custom field, create the missing user.
    expect(await adminPost("custom-fields", { fieldName: "badge_color", maxLength: 16 })).toBe(201);
    expect(
      await adminPost("users", { username: "new.hire", displayName: "Pending", userExternalId: "hr-2001" }),
    ).toBe(201);

    const redriven = await cli("dlq", "redrive", "--yes");
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toContain("redriven 2, applied 2, still failing 0, skipped 0");

    expect(stack.eiam.state.getUser(ZHANG)?.customFields).toMatchObject({
      cost_center: "CC-42",
      badge_color: "blue",
    });
    const hire = stack.eiam.state.listUsers().find((u) => u.userExternalId === "hr-2001");
    expect(hire?.displayName).toBe("New Hire");
    expect(deadLetterCount()).toBe(0);
    const after = await cli("dlq", "list");
    expect(after.stdout).toContain("no dead letters in eiam-user-sync-dead-letters-q");
  });
});
