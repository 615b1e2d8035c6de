/**
 * Every dead letter, whatever its stage, handed back by the operator CLI (`dlq redrive`) through FC's invoke
 * API on the local stack (real function, MNS and EIAM emulators). What must change is checked where it
 * changes: EIAM holds the user's new values, the redriven record is gone from the dead-letter queue, and the
 * outcome each record got is the one its cause calls for. A record whose cause is still there stays in the
 * queue, once, and no second dead letter is published for it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import FCClient from "@alicloud/fc2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../local/cli/main.ts";
import { DEMO_CREDENTIALS } from "../../local/demo-data.ts";
import { type LocalStack, STACK_NAMES, startLocalStack } from "../../local/stack.ts";
import { DeadLetterRecord } from "../../shared/dead-letter/record.ts";
import { canonicalEvent } from "../helpers/fc-events.ts";
import { mnsQueueBatch } from "./support/mns-cloud-events.ts";

const ZHANG = "user_d6sbsuumeta4h66ec3il7yxxxx";
const GHOST = "user_ghost0redrive000000000000";

let stack: LocalStack;
let cwd: string;

async function invoke(payload: Buffer | string): Promise<unknown> {
  const fc = new FCClient(stack.info.accountId, {
    accessKeyID: DEMO_CREDENTIALS.accessKeyId,
    accessKeySecret: DEMO_CREDENTIALS.accessKeySecret,
    region: stack.info.region,
    endpoint: stack.info.endpoints.fcApi,
  });
  return (await fc.invokeFunction(STACK_NAMES.serviceName, STACK_NAMES.functionName, payload)).data;
}

async function cli(argv: string[]) {
  const out = { stdout: "", stderr: "" };
  const stream = (key: "stdout" | "stderr") => {
    const s = new PassThrough();
    s.on("data", (chunk: Buffer) => {
      out[key] += chunk.toString();
    });
    return s;
  };
  const code = await main(argv, {
    stdout: stream("stdout"),
    stderr: stream("stderr"),
    stdin: Readable.from([]),
    env: {},
    cwd,
  });
  return { code, ...out };
}

/** The records in the dead-letter queue, by error code. */
function queuedByCode(): Record<string, Array<{ messageId: string; record: DeadLetterRecord }>> {
  const byCode: Record<string, Array<{ messageId: string; record: DeadLetterRecord }>> = {};
  for (const m of stack.mns.state.queueMessages(STACK_NAMES.deadLetterQueue)) {
    const record = DeadLetterRecord.parse(JSON.parse(m.body));
    byCode[record.error.code] = [...(byCode[record.error.code] ?? []), { messageId: m.messageId, record }];
  }
  return byCode;
}

const appliedUpdates = (userId: string, displayName: string) =>
  stack.eiam.state.requestLog.filter(
    (e) =>
      e.action === "UpdateUser" &&
      e.status === 200 &&
      e.params.UserId === userId &&
      e.params.DisplayName === displayName,
  ).length;

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), "eiam-sync-redrive-"));
  stack = await startLocalStack({
    stateFile: join(cwd, ".local-state", "stack.json"),
    functionEnv: {
      LOG_LEVEL: "error",
      EIAM_MAX_ATTEMPTS: "2",
      EIAM_RETRY_BASE_MS: "1",
      EIAM_RETRY_MAX_MS: "5",
    },
    trigger: { enabled: false },
  });
  const message = (body: string, id: string) => mnsQueueBatch([{ messageId: id, body }]);
  // One dead letter from each stage: EIAM down (retryable), unknown shape, unreadable, invalid, unknown user.
  stack.eiam.state.setFaults({ failureRate: 1, failureKinds: ["5xx"] });
  await invoke(message(JSON.stringify(canonicalEvent({}, { displayName: "After The Outage" })), "M-retry"));
  stack.eiam.state.clearFaults();
  await invoke("not an event at all");
  await invoke(message("not json", "M-unreadable"));
  await invoke(message(JSON.stringify(canonicalEvent({}, { phone: "+86 12" })), "M-invalid"));
  await invoke(
    message(
      JSON.stringify(canonicalEvent({ user: { userId: GHOST } }, { displayName: "Back From Nowhere" })),
      "M-ghost",
    ),
  );
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe("redrive of dead letters of every stage, by the operator CLI", () => {
  it("applies what can now apply, removes it from the queue, and keeps the rest once, unpublished again", async () => {
    const before = queuedByCode();
    expect(Object.fromEntries(Object.entries(before).map(([code, list]) => [code, list.length]))).toEqual({
      ServiceUnavailable: 1,
      UnknownEventShape: 1,
      UnreadablePayload: 1,
      InvalidEvent: 1,
      "EntityNotExists.User": 1,
    });
    const published = stack.mns.state.topicMessages(STACK_NAMES.deadLetterTopic).length;
    // The operator fixes one cause: the user now exists.
    const created = await fetch(`${stack.info.endpoints.eiam}/__admin/users`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        userId: GHOST,
        username: "ghost.redrive",
        displayName: "Ghost",
        email: "ghost.redrive@example.com",
      }),
    });
    expect(created.status).toBe(201);
    expect(stack.eiam.state.getUser(ZHANG)?.displayName).not.toBe("After The Outage");

    const res = await cli(["dlq", "redrive", "--yes"]);

    // The outcome of each record, as the CLI reports it, from the id of the message it redrove.
    const idOf = (code: string) => before[code]![0]!.messageId;
    const lineOf = (code: string) => res.stderr.split("\n").find((l) => l.includes(idOf(code))) ?? "";
    expect(lineOf("ServiceUnavailable")).toMatch(/^applied \S+: applied\b/);
    expect(lineOf("EntityNotExists.User")).toMatch(/^applied \S+: applied\b/);
    for (const code of ["UnknownEventShape", "UnreadablePayload", "InvalidEvent"]) {
      expect(lineOf(code)).toMatch(new RegExp(`^still failing \\S+: dead_lettered: ${code}\\b`));
    }
    expect(res.code).toBe(1);

    // EIAM: the values arrived, each by exactly one UpdateUser.
    expect(stack.eiam.state.getUser(ZHANG)?.displayName).toBe("After The Outage");
    expect(stack.eiam.state.getUser(GHOST)?.displayName).toBe("Back From Nowhere");
    expect(appliedUpdates(ZHANG, "After The Outage")).toBe(1);
    expect(appliedUpdates(GHOST, "Back From Nowhere")).toBe(1);

    // The queue: the applied records are gone; the others are still there, once each; nothing new published.
    const after = queuedByCode();
    expect(Object.fromEntries(Object.entries(after).map(([code, list]) => [code, list.length]))).toEqual({
      UnknownEventShape: 1,
      UnreadablePayload: 1,
      InvalidEvent: 1,
    });
    for (const code of ["UnknownEventShape", "UnreadablePayload", "InvalidEvent"]) {
      expect(after[code]![0]!.messageId).toBe(idOf(code));
    }
    expect(stack.mns.state.topicMessages(STACK_NAMES.deadLetterTopic)).toHaveLength(published);
  });

  it("a second redrive changes nothing in EIAM and leaves the same records", async () => {
    const requests = stack.eiam.state.requestLog.filter((e) => e.action === "UpdateUser").length;
    const before = queuedByCode();
    const res = await cli(["dlq", "redrive", "--yes"]);
    expect(res.code).toBe(1);
    expect(res.stderr).not.toMatch(/^applied /m);
    expect(stack.eiam.state.requestLog.filter((e) => e.action === "UpdateUser")).toHaveLength(requests);
    expect(stack.eiam.state.getUser(ZHANG)?.displayName).toBe("After The Outage");
    const after = queuedByCode();
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const code of Object.keys(before)) {
      expect(after[code]!.map((m) => m.messageId)).toEqual(before[code]!.map((m) => m.messageId));
    }
  });
});
