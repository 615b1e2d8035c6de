/**
 * Joiners, movers and leavers through the whole function (real EIAM client → emulator, in-memory store): the
 * operations an event makes, in order, each once; OU references looked up; creation; partial outcomes.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_INSTANCE_ID } from "../../local/demo-data.ts";
import type { EiamEmulator } from "../../local/eiam-emulator/server.ts";
import { rootOrganizationalUnitId } from "../../local/eiam-emulator/users.ts";
import type { DeadLetterRecord } from "../../shared/dead-letter/record.ts";
import {
  type BatchResult,
  DeferredEventsError,
  handleInvocation,
} from "../../shared/handler/handle-invocation.ts";
import { redriveEnvelope } from "../../shared/handler/redrive.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import type { EventOutcome } from "../../shared/pipeline/outcome.ts";
import { startDemoEiam } from "../helpers/demo-eiam.ts";
import { canonicalEvent, fcContext, mnsQueueCloudEvents } from "../helpers/fc-events.ts";

const ZHANG = "user_d6sbsuumeta4h66ec3il7yxxxx";
const LI = "user_li4si0000000000000000000";
const ENG = "ou_engineering000000000000000";
const SALES = "ou_sales000000000000000000000";
const FIN = "ou_finance0000000000000000000";
const ROOT = rootOrganizationalUnitId(DEMO_INSTANCE_ID);

let eiam: EiamEmulator;
let dir: string;
let deadLetterFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "eiam-sync-lifecycle-"));
  eiam = await startDemoEiam();
});
afterAll(async () => {
  await eiam.close();
});
beforeEach(() => {
  eiam.state.reset();
  deadLetterFile = join(dir, `dlq-${randomUUID()}.jsonl`);
});

function newRuntime(env: Record<string, string> = {}): Runtime {
  return createRuntime(
    {
      EIAM_INSTANCE_ID: DEMO_INSTANCE_ID,
      EIAM_ENDPOINT: eiam.endpoint,
      EIAM_PROTOCOL: "http",
      WEBHOOK_AUTH: "none",
      DEAD_LETTER_FILE: deadLetterFile,
      EIAM_RETRY_BASE_MS: "1",
      EIAM_RETRY_MAX_MS: "5",
      ...env,
    },
    { logger: createLogger({ sink: () => undefined }) },
  );
}

async function deliver(runtime: Runtime, events: unknown[]): Promise<EventOutcome[]> {
  const batch = mnsQueueCloudEvents(events.map((e) => JSON.stringify(e)));
  try {
    return ((await handleInvocation(batch, fcContext(), runtime, Date.now())) as BatchResult).results;
  } catch (err) {
    if (err instanceof DeferredEventsError) return err.result.results;
    throw err;
  }
}

const actions = () => eiam.state.requestLog.filter((e) => e.status === 200).map((e) => e.action);
const calls = (action: string) => actions().filter((a) => a === action).length;
const deadLetters = (): DeadLetterRecord[] =>
  readFileSync(deadLetterFile, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as DeadLetterRecord);

describe("leavers", () => {
  it("writes the leaver's other changes, then disables the user, once", async () => {
    const runtime = newRuntime();
    const event = canonicalEvent({}, { displayName: "Zhang San (left)", status: "disabled" });
    const [outcome] = await deliver(runtime, [event]);
    expect(outcome).toMatchObject({
      status: "applied",
      userId: ZHANG,
      fields: ["displayName", "status"],
      operations: [
        { action: "UpdateUser", status: "applied" },
        { action: "DisableUser", status: "applied" },
      ],
    });
    expect(actions()).toEqual(["UpdateUser", "DisableUser"]);
    expect(eiam.state.getUser(ZHANG)).toMatchObject({ status: "disabled", displayName: "Zhang San (left)" });
    const [again] = await deliver(runtime, [event]);
    expect(again!.status).toBe("duplicate");
    expect(calls("DisableUser")).toBe(1);
  });

  it("applies status by field-level last writer wins: an older disable after a newer enable is stale", async () => {
    const runtime = newRuntime();
    const older = canonicalEvent(
      { occurredAt: "2026-11-28T08:00:00Z" },
      { displayName: undefined, status: "disabled" },
    );
    const newer = canonicalEvent(
      { occurredAt: "2026-11-28T09:00:00Z" },
      { displayName: undefined, status: "enabled" },
    );
    const outcomes = await deliver(runtime, [newer]);
    expect(outcomes[0]).toMatchObject({ status: "applied", operations: [{ action: "EnableUser" }] });
    const [late] = await deliver(runtime, [older]);
    expect(late).toMatchObject({ status: "stale", staleFields: ["status"] });
    expect(eiam.state.getUser(ZHANG)!.status).toBe("enabled");
    expect(calls("DisableUser")).toBe(0);
  });

  it("a deleted user is disabled by default, and deleted with DELETE_MEANS=delete", async () => {
    const disabling = newRuntime();
    const [disabled] = await deliver(disabling, [
      canonicalEvent({}, { displayName: undefined, status: "deleted" }),
    ]);
    expect(disabled).toMatchObject({ status: "applied", operations: [{ action: "DisableUser" }] });
    expect(eiam.state.getUser(ZHANG)!.status).toBe("disabled");

    const deleting = newRuntime({ DELETE_MEANS: "delete" });
    const event = canonicalEvent({ user: { userId: LI } }, { displayName: undefined, status: "deleted" });
    const [deleted] = await deliver(deleting, [event]);
    expect(deleted).toMatchObject({ status: "applied", operations: [{ action: "DeleteUser" }] });
    expect(eiam.state.getUser(LI)).toBeUndefined();
  });

  it("is not held back by an invalid phone: the user is disabled, the phone is dead-lettered and the answer says so", async () => {
    const runtime = newRuntime();
    const event = canonicalEvent({}, { displayName: "Gone", phone: "not a phone", status: "disabled" });
    const [outcome] = await deliver(runtime, [event]);
    expect(outcome).toMatchObject({
      status: "applied",
      fields: ["displayName", "status"],
      rejected: { problems: [{ path: "changes.phone" }] },
    });
    expect(eiam.state.getUser(ZHANG)).toMatchObject({ status: "disabled", displayName: "Gone" });
    const records = deadLetters();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      eventId: event.id,
      error: { stage: "validate", code: "InvalidEvent", problems: [{ path: "changes.phone" }] },
    });
    expect(outcome!.rejected!.deadLetterId).toBeTruthy();
    const [again] = await deliver(runtime, [event]);
    expect(again).toMatchObject({
      status: "duplicate",
      rejected: { deadLetterId: outcome!.rejected!.deadLetterId },
    });
    expect(deadLetters()).toHaveLength(1);
    expect(calls("DisableUser")).toBe(1);
  });

  it("still rejects the whole event when the problem is not in changes (a bad user key)", async () => {
    const runtime = newRuntime();
    const event = canonicalEvent({ user: { email: "not-an-email" } }, { status: "disabled" });
    const [outcome] = await deliver(runtime, [event]);
    expect(outcome).toMatchObject({ status: "dead_lettered", error: { code: "InvalidEvent" } });
    expect(calls("DisableUser")).toBe(0);
  });
});

describe("re-hires and movers", () => {
  it("enables a re-hire before writing the rest", async () => {
    eiam.state.seedUser({ userId: "user_rehire00000000000000000000", username: "back", status: "disabled" });
    const runtime = newRuntime();
    const event = canonicalEvent(
      { user: { userId: "user_rehire00000000000000000000" } },
      { displayName: "Back Again", status: "enabled" },
    );
    await deliver(runtime, [event]);
    expect(actions()).toEqual(["EnableUser", "UpdateUser"]);
    expect(eiam.state.getUser("user_rehire00000000000000000000")).toMatchObject({
      status: "enabled",
      displayName: "Back Again",
    });
  });

  it("moves a user: OUs by name and external id are looked up, the primary OU set, then memberships changed", async () => {
    const runtime = newRuntime();
    const event = canonicalEvent(
      {},
      {
        displayName: undefined,
        primaryOrganizationalUnit: { name: "Sales" },
        organizationalUnits: { add: [{ externalId: "dept-fin" }], remove: [{ id: ROOT }] },
      },
    );
    const [outcome] = await deliver(runtime, [event]);
    expect(outcome).toMatchObject({
      status: "applied",
      operations: [
        { action: "SetUserPrimaryOrganizationalUnit" },
        { action: "AddUserToOrganizationalUnits" },
        { action: "RemoveUserFromOrganizationalUnits" },
      ],
    });
    expect(eiam.state.getUser(ZHANG)).toMatchObject({
      primaryOrganizationalUnitId: SALES,
      organizationalUnitIds: [SALES, FIN],
    });
    expect(actions().filter((a) => a === "ListOrganizationalUnits").length).toBeGreaterThan(0);
  });

  it("dead-letters an OU reference that matches nothing, naming it, and writes nothing", async () => {
    const runtime = newRuntime();
    const event = canonicalEvent({}, { primaryOrganizationalUnit: { name: "Marketing" } });
    const [outcome] = await deliver(runtime, [event]);
    expect(outcome).toMatchObject({
      status: "dead_lettered",
      error: { stage: "resolve", code: "OrganizationalUnitNotFound", retryable: false },
    });
    expect(outcome!.error!.message).toContain(
      'changes.primaryOrganizationalUnit: no EIAM organizational unit has the name "Marketing"',
    );
    expect(calls("UpdateUser")).toBe(0);
  });

  it("sends at most 100 OU ids a call", async () => {
    const ids = Array.from(
      { length: 150 },
      (_, i) => eiam.state.seedOrganizationalUnit({ name: `Team ${i}` }).organizationalUnitId,
    );
    const runtime = newRuntime();
    const event = canonicalEvent(
      {},
      { displayName: undefined, organizationalUnits: { add: ids.map((id) => ({ id })) } },
    );
    const [outcome] = await deliver(runtime, [event]);
    expect(outcome!.status).toBe("applied");
    const adds = eiam.state.requestLog.filter((e) => e.action === "AddUserToOrganizationalUnits");
    expect(
      adds.map((e) => Object.keys(e.params).filter((k) => k.startsWith("OrganizationalUnitIds.")).length),
    ).toEqual([100, 50]);
    expect(eiam.state.getUser(ZHANG)!.organizationalUnitIds).toHaveLength(151);
  });
});

describe("joiners (UNKNOWN_USER=create)", () => {
  const joiner = (extra: Record<string, unknown> = {}) =>
    canonicalEvent(
      { user: { externalId: "hr-2001" } },
      { username: "wang.wu", displayName: "Wang Wu", email: "wang.wu@example.com", ...extra },
    );

  it("creates a user once, in the default OU, with a ClientToken from the idempotency key", async () => {
    const runtime = newRuntime({ UNKNOWN_USER: "create", DEFAULT_ORGANIZATIONAL_UNIT_ID: ENG });
    const event = joiner();
    const [outcome] = await deliver(runtime, [event, event]);
    expect(outcome).toMatchObject({
      status: "applied",
      operations: [{ action: "CreateUser", status: "applied" }],
    });
    const created = eiam.state.listUsers().filter((u) => u.username === "wang.wu");
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      userId: outcome!.userId,
      userExternalId: "hr-2001",
      email: "wang.wu@example.com",
      primaryOrganizationalUnitId: ENG,
    });
    const token = eiam.state.requestLog.find((e) => e.action === "CreateUser")!.params.ClientToken!;
    expect(token).toMatch(/^[\x21-\x7e]{1,64}$/);
    expect(calls("CreateUser")).toBe(1);
  });

  it("a second event about the same joiner updates the user it created instead of creating another", async () => {
    const runtime = newRuntime({ UNKNOWN_USER: "create", DEFAULT_ORGANIZATIONAL_UNIT_ID: ENG });
    const first = joiner();
    const second = canonicalEvent({ user: { externalId: "hr-2001" } }, { displayName: "Wang Wu Jr" });
    const outcomes = await deliver(runtime, [first, second]);
    expect(outcomes.map((o) => o.status)).toEqual(["applied", "applied"]);
    expect(outcomes[1]!.userId).toBe(outcomes[0]!.userId);
    expect(calls("CreateUser")).toBe(1);
    expect(eiam.state.getUser(outcomes[0]!.userId!)!.displayName).toBe("Wang Wu Jr");
  });

  it("uses the event's primary OU and says what is missing to create a user", async () => {
    const runtime = newRuntime({ UNKNOWN_USER: "create" });
    const [noOu] = await deliver(runtime, [joiner()]);
    expect(noOu).toMatchObject({ status: "dead_lettered", error: { code: "OrganizationalUnitRequired" } });
    const [placed] = await deliver(runtime, [joiner({ primaryOrganizationalUnit: { name: "Finance" } })]);
    expect(eiam.state.getUser(placed!.userId!)!.primaryOrganizationalUnitId).toBe(FIN);
    const [noName] = await deliver(runtime, [
      canonicalEvent({ user: { externalId: "hr-2002" } }, { displayName: "No Name" }),
    ]);
    expect(noName).toMatchObject({ status: "dead_lettered", error: { code: "UsernameRequired" } });
  });

  it("never creates a user when the lookup before CreateUser fails: the event is handed back", async () => {
    const runtime = newRuntime({
      UNKNOWN_USER: "create",
      DEFAULT_ORGANIZATIONAL_UNIT_ID: ENG,
      EIAM_MAX_ATTEMPTS: "1",
    });
    // The first ListUsers finds nobody; the second one, under the lease, fails.
    eiam.state.setFaults({
      failNext: [
        { kind: "pass", count: 1 },
        { kind: "5xx", count: 1 },
      ],
    });
    const [outcome] = await deliver(runtime, [joiner()]);
    expect(outcome).toMatchObject({ status: "deferred", error: { code: "LookupFailed" } });
    expect(calls("CreateUser")).toBe(0);
  });

  it("never creates a user only to disable it, and dead-letters unknown users by default", async () => {
    const creating = newRuntime({ UNKNOWN_USER: "create", DEFAULT_ORGANIZATIONAL_UNIT_ID: ENG });
    const [leaver] = await deliver(creating, [joiner({ status: "disabled" })]);
    expect(leaver).toMatchObject({ status: "dead_lettered", error: { code: "UserNotFound" } });
    const [byDefault] = await deliver(newRuntime(), [joiner()]);
    expect(byDefault).toMatchObject({ status: "dead_lettered", error: { code: "UserNotFound" } });
    expect(calls("CreateUser")).toBe(0);
  });
});

describe("a failure between two operations", () => {
  it("still disables a leaver, records which operations were applied, and a redrive resumes at the failed one", async () => {
    const runtime = newRuntime();
    // Removing the user's primary OU is refused (permanent), between the UpdateUser and the DisableUser.
    const event = canonicalEvent(
      {},
      { displayName: "Leaving", organizationalUnits: { remove: [{ id: ROOT }] }, status: "disabled" },
    );
    const [failed] = await deliver(runtime, [event]);
    expect(failed).toMatchObject({
      status: "dead_lettered",
      error: { stage: "apply", code: "OperationDenied.PrimaryOrganizationalUnit" },
      operations: [
        { action: "UpdateUser", status: "applied" },
        { action: "RemoveUserFromOrganizationalUnits", status: "failed" },
        { action: "DisableUser", status: "applied" },
      ],
    });
    expect(eiam.state.getUser(ZHANG)).toMatchObject({ status: "disabled", displayName: "Leaving" });
    const [record] = deadLetters();
    expect(record!.operations?.map((o) => o.status)).toEqual(["applied", "failed", "applied"]);

    // The operator gives the user another primary OU, then redrives: only the failed operation is planned and sent
    // (the others are recorded as written).
    const user = eiam.state.getUser(ZHANG)!;
    eiam.state.directory.put({
      ...user,
      primaryOrganizationalUnitId: ENG,
      organizationalUnitIds: [ROOT, ENG],
    });
    const redrive = Buffer.from(JSON.stringify(redriveEnvelope("DL-1", record!)));
    const result = (await handleInvocation(redrive, fcContext(), runtime, Date.now())) as BatchResult;
    expect(result.results[0]).toMatchObject({
      status: "applied",
      operations: [{ action: "RemoveUserFromOrganizationalUnits", status: "applied" }],
    });
    expect([calls("UpdateUser"), calls("RemoveUserFromOrganizationalUnits"), calls("DisableUser")]).toEqual([
      1, 1, 1,
    ]);
    expect(eiam.state.getUser(ZHANG)!.organizationalUnitIds).toEqual([ENG]);
  });
});
