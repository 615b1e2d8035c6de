/**
 * `eiam-user-sync status` against the local stack: dead letters the real function published (through the FC 3.0
 * invoke API) and a raw message, grouped by stage and code with the oldest age; nothing is consumed.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DlqStatus } from "../../local/cli/dlq/status.ts";
import { main } from "../../local/cli/main.ts";
import { type LocalStack, STACK_NAMES, startLocalStack } from "../../local/stack.ts";

const ZHANG = "user_d6sbsuumeta4h66ec3il7yxxxx";
const OCCURRED_AT = "2026-11-28T08:00:00Z";

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

async function cli(argv: string[]) {
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

function queued() {
  return stack.mns.state.queueMessages(STACK_NAMES.deadLetterQueue);
}

async function until(check: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), "eiam-cli-status-"));
  stack = await startLocalStack({
    stateFile: join(cwd, ".local-state", "stack.json"),
    functionEnv: { LOG_LEVEL: "error", EIAM_RETRY_BASE_MS: "5", EIAM_RETRY_MAX_MS: "20" },
    trigger: { enabled: false },
  });
});

afterAll(async () => {
  await stack?.close();
});

describe("status", () => {
  it("says the queue is empty when it is", async () => {
    const res = await cli(["status"]);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(`no dead letters in ${STACK_NAMES.deadLetterQueue}`);
  });

  it("groups what the function dead-lettered by stage and code, with the oldest age, and consumes nothing", async () => {
    // Two events EIAM refuses for the same reason, one it cannot resolve, one that is not an event at all.
    const events = [
      { id: "evt-1", changes: { customFields: { badge_color: "blue" } }, user: { userId: ZHANG } },
      { id: "evt-2", changes: { customFields: { badge_size: "L" } }, user: { userId: ZHANG } },
      {
        id: "evt-3",
        changes: { displayName: "Nobody" },
        user: { userId: "user_doesnotexist00000000000000" },
      },
    ];
    for (const e of events) {
      writeFileSync(
        join(cwd, `${e.id}.json`),
        JSON.stringify({ source: "workday", occurredAt: OCCURRED_AT, ...e }),
      );
      expect((await cli(["invoke", `${e.id}.json`])).code).toBe(0);
    }
    writeFileSync(join(cwd, "invalid.json"), JSON.stringify({ id: "evt-4" }));
    expect((await cli(["invoke", "invalid.json"])).code).toBe(0);
    await until(() => queued().length === 4);
    const before = queued().map((m) => [m.messageId, m.visible]);

    const res = await cli(["status", "--json"]);
    expect(res.code).toBe(0);
    const status = JSON.parse(res.stdout) as DlqStatus;
    expect(status).toMatchObject({
      queue: STACK_NAMES.deadLetterQueue,
      deadLetters: 4,
      messages: 4,
      unread: 0,
    });
    const byKey = Object.fromEntries(status.groups.map((g) => [`${g.stage}/${g.code}`, g.count]));
    expect(byKey["apply/InvalidParameter.CustomFields.FieldName"]).toBe(2);
    expect(Object.values(byKey).reduce((a, b) => a + b, 0)).toBe(4);
    expect(status.groups[0]).toMatchObject({ stage: "apply", count: 2 });
    // The records say when they failed: a moment ago, not when the events occurred.
    expect(status.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(status.oldestAgeSeconds).toBeLessThan(120);
    expect(Date.parse(status.oldestAt ?? "")).toBe(
      Math.min(...status.groups.map((g) => Date.parse(g.oldestAt))),
    );

    // Nothing consumed: the same messages, visible again after the 1 s release.
    expect(queued().map((m) => m.messageId)).toEqual(before.map(([id]) => id));
    await until(() => queued().every((m) => m.visible), 4000);

    const table = await cli(["status"]);
    expect(table.stdout).toMatch(
      new RegExp(`^${STACK_NAMES.deadLetterQueue}: 4 dead letter\\(s\\), the oldest \\d+s old$`, "m"),
    );
    expect(table.stdout).toMatch(/^STAGE\s+CODE\s+COUNT\s+OLDEST$/m);
    expect(table.stdout).toMatch(/^apply\s+InvalidParameter\.CustomFields\.FieldName\s+2\s+\d+s \(/m);
  });

  it("counts a raw message by when it reached the queue", async () => {
    stack.mns.state.sendMessage(STACK_NAMES.triggerDeadLetterQueue, { body: "not json at all" });
    const res = await cli(["status", "--json", "--dlq-queue", STACK_NAMES.triggerDeadLetterQueue]);
    const status = JSON.parse(res.stdout) as DlqStatus;
    expect(status.deadLetters).toBe(1);
    expect(status.groups).toHaveLength(1);
    expect(status.groups[0]!.count).toBe(1);
    expect(status.groups[0]!.oldestAgeSeconds).toBeLessThan(60);
  });

  it("exits 1 for a queue that does not exist", async () => {
    const res = await cli(["status", "--dlq-queue", "no-such-queue"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("queue 'no-such-queue' does not exist");
  });
});
