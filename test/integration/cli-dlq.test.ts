/**
 * `eiam-user-sync dlq list|show|redrive` against the local stack (real function, MNS and EIAM emulators, FC
 * invoke API), driven in-process through `main(argv, io)`. The dead-letter queue holds records the function
 * published itself, a gzip and a multi-part record from the real MNS publisher, and an FC async failure record.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import FCClient from "@alicloud/fc2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchesFilters, parseFilter } from "../../local/cli/dlq/filters.ts";
import type { EntrySummary } from "../../local/cli/dlq/summary.ts";
import { main } from "../../local/cli/main.ts";
import { DEMO_CREDENTIALS } from "../../local/demo-data.ts";
import { asyncFailureRecord } from "../../local/fc-host/async-failure-record.ts";
import { createMnsClient } from "../../local/fc-host/mns-client.ts";
import { type LocalStack, STACK_NAMES, startLocalStack } from "../../local/stack.ts";
import { MnsDeadLetterPublisher } from "../../shared/dead-letter/mns-publisher.ts";
import type { DeadLetterRecord } from "../../shared/dead-letter/record.ts";

const ZHANG = "user_d6sbsuumeta4h66ec3il7yxxxx";
const LI = "user_li4si0000000000000000000";

let stack: LocalStack;
let cwd: string;
/** `dlq list --json` as read in the second test; later tests use its ids. */
let rows: Row[] = [];
const bigOriginal = randomBytes(110 * 1024).toString("base64");

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

interface Row {
  id: string;
  kind: string;
  trigger?: string;
  eventId?: string;
  user?: string;
  source?: string;
  stage?: string;
  code?: string;
  message?: string;
  messageIds: string[];
}

async function listJson(...filters: string[]): Promise<Row[]> {
  const res = await cli(["dlq", "list", "--json", ...filters.flatMap((f) => ["--filter", f])]);
  expect(res.code).toBe(0);
  return res.stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Row);
}

function queueIds(): string[] {
  return stack.mns.state
    .queueMessages(STACK_NAMES.deadLetterQueue)
    .map((m) => m.messageId)
    .sort();
}

function queueBodies(): string[] {
  return stack.mns.state.queueMessages(STACK_NAMES.deadLetterQueue).map((m) => m.body);
}

function syntheticRecord(
  eventId: string,
  original: unknown,
  extra: Partial<DeadLetterRecord> = {},
): DeadLetterRecord {
  return {
    kind: "eiam-user-sync.dead-letter",
    version: 1,
    delivery: {
      trigger: "http",
      deliveryId: `d-${eventId}`,
      receivedAt: "2026-11-28T08:00:00.000Z",
      encoding: "json",
      original,
    },
    eventId,
    source: "bamboohr",
    error: {
      stage: "validate",
      code: "InvalidEvent",
      message: "synthetic record for the CLI test",
      retryable: false,
    },
    attempts: 0,
    firstSeenAt: "2026-11-28T08:00:00.000Z",
    failedAt: "2026-11-28T08:00:01.000Z",
    ...extra,
  };
}

async function invokeSync(event: unknown): Promise<unknown> {
  const fc = new FCClient(stack.info.accountId, {
    accessKeyID: DEMO_CREDENTIALS.accessKeyId,
    accessKeySecret: DEMO_CREDENTIALS.accessKeySecret,
    region: stack.info.region,
    endpoint: stack.info.endpoints.fcApi,
  });
  return (await fc.invokeFunction("eiam-user-sync", "eiam-user-sync", JSON.stringify(event))).data;
}

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), "eiam-cli-dlq-"));
  stack = await startLocalStack({
    stateFile: join(cwd, ".local-state", "stack.json"),
    functionEnv: { LOG_LEVEL: "error", EIAM_RETRY_BASE_MS: "5", EIAM_RETRY_MAX_MS: "20" },
    trigger: { enabled: false },
  });
  const occurredAt = "2026-11-28T08:00:00Z";
  // Two records the function publishes itself: EIAM refuses both changes for good.
  await invokeSync({
    id: "evt-A",
    source: "workday",
    occurredAt,
    user: { userId: ZHANG },
    changes: { customFields: { badge_color: "blue" } },
  });
  await invokeSync({
    id: "evt-B",
    source: "feishu",
    occurredAt,
    user: { userId: "user_doesnotexist00000000000000" },
    changes: { displayName: "Nobody" },
  });
  // A large record (gzip) and a larger, incompressible one (parts), through the real MNS publisher.
  const publisher = new MnsDeadLetterPublisher(
    {
      accountId: stack.info.accountId,
      topic: STACK_NAMES.deadLetterTopic,
      endpoint: stack.info.endpoints.mns,
    },
    DEMO_CREDENTIALS,
  );
  await publisher.publish(syntheticRecord("evt-gz", { note: "compressible ".repeat(6000) }));
  await publisher.publish(syntheticRecord("evt-parts", bigOriginal, { userId: LI }));
  // FC's own failure record for an async invocation whose event is valid (it can be redriven as is).
  const payload = JSON.stringify({
    id: "evt-E",
    source: "workday",
    occurredAt,
    user: { userId: LI },
    changes: { displayName: "Li Si (redriven)" },
  });
  const record = asyncFailureRecord({
    requestId: "fc-request-E",
    functionArn: "acs:fc:cn-hangzhou:1234567890123456:functions/eiam-user-sync",
    invokeCount: 4,
    event: Buffer.from(payload),
    error: { errorMessage: "EIAM was down", errorType: "DeferredEventsError" },
    now: Date.parse("2026-11-28T09:00:00Z"),
  });
  const mns = createMnsClient({
    accountId: stack.info.accountId,
    endpoint: stack.info.endpoints.mns,
    credentials: DEMO_CREDENTIALS,
  });
  await mns.publishMessage(STACK_NAMES.deadLetterTopic, { MessageBody: JSON.stringify(record) });
});

afterAll(async () => {
  await stack?.close();
});

describe("dlq list", () => {
  it("prints one row per dead letter, joining gzip and multi-part records, and consumes nothing", async () => {
    const before = queueIds();
    expect(before.length).toBeGreaterThan(5); // the multi-part record alone is several messages

    const res = await cli(["dlq", "list"]);
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+FAILED AT\s+TRIGGER\s+EVENT\s+USER\s+STAGE\s+CODE\s+MESSAGE$/);
    for (const text of ["evt-A", "evt-B", "evt-gz", "evt-parts", "evt-E"]) {
      expect(lines.filter((l) => l.includes(text))).toHaveLength(1);
    }
    expect(res.stdout).toContain("InvalidParameter.CustomFields.FieldName");
    expect(res.stdout).toContain("5 of 5 dead letter(s) in eiam-user-sync-dead-letters-q");
    expect(queueIds()).toEqual(before);
  });

  it("prints JSON lines with --json, for our records and FC's", async () => {
    rows = await listJson();
    const byEvent = new Map(rows.map((r) => [r.eventId, r]));
    expect(byEvent.get("evt-A")).toMatchObject({
      kind: "record",
      trigger: "direct",
      user: ZHANG,
      source: "workday",
      stage: "apply",
      code: "InvalidParameter.CustomFields.FieldName",
    });
    expect(byEvent.get("evt-B")).toMatchObject({ source: "feishu", code: "EntityNotExists.User" });
    expect(byEvent.get("evt-parts")?.messageIds.length).toBeGreaterThan(1);
    expect(byEvent.get("evt-E")).toMatchObject({
      kind: "fc-failure",
      trigger: "direct",
      user: LI,
      stage: "invoke",
      code: "DeferredEventsError",
      message: "EIAM was down",
    });
  });

  it("filters by key, with wildcards, and refuses an unknown key", async () => {
    const only = await listJson("code=InvalidParameter.*");
    expect(only.map((r) => r.eventId)).toEqual(["evt-A"]);
    // The same matching on every row, without reading the queue again for each filter.
    const events = (...filters: string[]) =>
      (rows as unknown as EntrySummary[])
        .filter((r) => matchesFilters(r, filters.map(parseFilter)))
        .map((r) => r.eventId)
        .sort();
    expect(events("kind=fc-failure")).toEqual(["evt-E"]);
    expect(events("source=workday", "stage=apply")).toEqual(["evt-A"]);
    expect(events("event=evt-A", "event=evt-B")).toEqual(["evt-A", "evt-B"]);
    expect(events("user=user_li4si*")).toEqual(["evt-E", "evt-parts"]);
    expect(events("trigger=http")).toEqual(["evt-gz", "evt-parts"]);
    const bad = await cli(["dlq", "list", "--filter", "colour=blue"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown key 'colour'");
  });

  it("says how many messages it left out when --max stops it, and consumes nothing", async () => {
    const before = queueIds();
    const res = await cli(["dlq", "list", "--max", "2"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(
      `not shown: ${before.length - 2} more message(s) in eiam-user-sync-dead-letters-q not read (--max 2; raise it)`,
    );
    const json = await cli(["dlq", "list", "--json", "--max", "2"]);
    expect(json.stderr).toContain(`not shown: ${before.length - 2} more message(s)`);
    expect(json.stdout).not.toContain("not shown");
    expect(queueIds()).toEqual(before);
  });
});

describe("dlq show", () => {
  it("prints a whole multi-part record, found by any of its message ids, and how to redrive it", async () => {
    const parts = rows.find((r) => r.eventId === "evt-parts")!;
    const res = await cli(["dlq", "show", parts.messageIds[1]!, "--json"]);
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout) as { id: string; kind: string; content: DeadLetterRecord };
    expect(doc.id).toBe(parts.id);
    expect(doc.content.delivery.original).toBe(bigOriginal);

    const text = await cli(["dlq", "show", parts.id]);
    expect(text.stdout).toContain("stored as: parts");
    expect(text.stdout).toContain(`npx eiam-user-sync dlq redrive --filter id=${parts.id} --yes`);
  });

  it("opens FC's payloads in an FC failure record", async () => {
    const fcRow = rows.find((r) => r.kind === "fc-failure")!;
    const res = await cli(["dlq", "show", fcRow.id, "--json"]);
    const doc = JSON.parse(res.stdout) as { content: { requestPayload: { id: string } } };
    expect(doc.content.requestPayload.id).toBe("evt-E");
  });

  it("exits 1 for an id that is not in the queue", async () => {
    const res = await cli(["dlq", "show", "0000NOSUCHMESSAGE0000"]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("no dead letter with id 0000NOSUCHMESSAGE0000");
  });
});

describe("dlq redrive", () => {
  it("--dry-run lists what would be redriven and changes nothing", async () => {
    const before = queueIds();
    const invocations = stack.fcHost.invocations;
    const res = await cli(["dlq", "redrive", "--dry-run"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("dry run: would redrive 5 of 5 dead letter(s)");
    expect(stack.fcHost.invocations).toBe(invocations);
    expect(queueIds()).toEqual(before);
  });

  it("exits 1 and says what is left when --max stops it before the end of the queue", async () => {
    const before = queueIds();
    const res = await cli(["dlq", "redrive", "--dry-run", "--max", "1"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(
      `not redriven: ${before.length - 1} more message(s) in eiam-user-sync-dead-letters-q not read (--max 1; raise it); run again to continue`,
    );
    expect(queueIds()).toEqual(before);
  });

  it("asks for --yes when standard input is not a terminal", async () => {
    const invocations = stack.fcHost.invocations;
    const res = await cli(["dlq", "redrive", "--filter", "event=evt-A"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("add --yes");
    expect(stack.fcHost.invocations).toBe(invocations);
  });

  it("leaves a record that fails again in the queue, without a second dead letter", async () => {
    const published = stack.mns.state.topicMessages(STACK_NAMES.deadLetterTopic).length;
    const res = await cli(["dlq", "redrive", "--filter", "event=evt-A", "--yes"]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("redriven 1, applied 0, still failing 1, skipped 0");
    expect(res.stderr).toMatch(/still failing \w+: dead_lettered: InvalidParameter\.CustomFields\.FieldName/);
    expect(stack.mns.state.topicMessages(STACK_NAMES.deadLetterTopic)).toHaveLength(published);
    expect(queueBodies().filter((b) => b.includes('"deliveryId":"evt-A"'))).toHaveLength(1);
  });

  it("applies a fixed record, deletes it, and EIAM changes", async () => {
    const define = await fetch(`${stack.info.endpoints.eiam}/__admin/custom-fields`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fieldName: "badge_color", maxLength: 16 }),
    });
    expect(define.status).toBe(201);

    const res = await cli(["dlq", "redrive", "--filter", "event=evt-A", "--yes"]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("redriven 1, applied 1, still failing 0, skipped 0");
    expect(res.stderr).toMatch(/^applied \w+: applied; removed from eiam-user-sync-dead-letters-q$/m);
    expect(stack.eiam.state.getUser(ZHANG)?.customFields).toMatchObject({ badge_color: "blue" });
    expect(queueBodies().filter((b) => b.includes('"deliveryId":"evt-A"'))).toEqual([]);
  });

  it("redrives FC's failure record with its original payload", async () => {
    const res = await cli(["dlq", "redrive", "--filter", "kind=fc-failure", "--yes"]);
    expect(res.code).toBe(0);
    expect(stack.eiam.state.getUser(LI)?.displayName).toBe("Li Si (redriven)");
    const left = queueBodies();
    expect(left.filter((b) => b.includes('"eventId":"evt-B"') || b.includes(".gz")).length).toBe(2);
    expect(left.filter((b) => b.includes(".part")).length).toBe(
      rows.find((r) => r.eventId === "evt-parts")?.messageIds.length,
    );
    expect(queueBodies().some((b) => b.includes("requestPayload"))).toBe(false);
  });
});
