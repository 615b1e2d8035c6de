/**
 * Chaos: thousands of events for a few hundred users, redelivered, shuffled and batched like EventBridge's MNS
 * stream, through the real handler and the real SDKs, while EIAM fails a fifth of its calls, processes are
 * SIGKILLed mid-batch, and every invocation that throws is delivered again. At the end EIAM must hold exactly
 * what field-level last-writer-wins says, each event must have one final outcome, and every dead letter must be
 * in the topic with its reason.
 */
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EiamEmulator, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import { type MnsEmulator, startMnsEmulator } from "../../local/mns-emulator/server.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import type { EventOutcome } from "../../shared/pipeline/outcome.ts";
import { deleteKeysWithPrefix, openTestRedis, REDIS_URL } from "../helpers/redis.ts";
import {
  actualLifecycle,
  CHAOS_ORGANIZATIONAL_UNITS,
  expectedLifecycles,
} from "./support/chaos-lifecycle.ts";
import {
  buildChaosPlan,
  CHAOS_CUSTOM_FIELDS,
  CHAOS_INSTANCE_ID,
  type ChaosPlan,
  type EventKind,
} from "./support/chaos-plan.ts";
import { type ChaosRun, runChaos } from "./support/chaos-run.ts";
import { publishedDeadLetters } from "./support/dead-letter-topic.ts";
import { expectedUsers } from "./support/oracle.ts";
import { SCALE, scaled } from "./support/scale.ts";
import { seededRandom } from "./support/seeded-random.ts";

const SEED = Number(process.env.CHAOS_SEED ?? 20_260_821);
const TOPIC = "eiam-user-sync-dlq";
const INSTANCE_KEY = { accessKeyId: "LTAI_chaos_instance", accessKeySecret: "chaos-instance-secret" };
const CHILD_KEY = { accessKeyId: "LTAI_chaos_child", accessKeySecret: "chaos-child-secret" };
const FAULT_KINDS = ["5xx", "throttle", "timeout", "drop", "drop-after-apply"] as const;
/** Seconds; short so the leases of a killed process lapse soon (the deadline is this minus DEADLINE_MARGIN_MS). */
const FUNCTION_TIMEOUT_S = 4;

/** How each kind of invalid event must end: dead-lettered at this stage with this code. */
const EXPECTED_FAILURE: Record<Exclude<EventKind, "valid">, { stage: string; code: string }> = {
  "bad-phone": { stage: "validate", code: "InvalidEvent" },
  "unknown-user": { stage: "apply", code: "EntityNotExists.User" },
  "unknown-external": { stage: "resolve", code: "UserNotFound" },
  garbage: { stage: "decode", code: "UnreadablePayload" },
};
const SETTLED = new Set(["applied", "noop", "stale"]);

let eiam: EiamEmulator;
let mns: MnsEmulator;
let runtime: Runtime;
let plan: ChaosPlan;
let run: ChaosRun;
let keyPrefix: string;
let eiamLogHook: ((line: string) => void) | undefined;

function context(key: typeof INSTANCE_KEY) {
  return {
    requestId: randomUUID(),
    credentials: key,
    function: { name: "eiam-user-sync", handler: "index.handler", timeout: FUNCTION_TIMEOUT_S },
    region: "cn-hangzhou",
  };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** Every outcome seen for each event key, answers of invocations that threw included. */
function outcomesByEvent(): Map<string, EventOutcome[]> {
  const byEvent = new Map<string, EventOutcome[]>();
  for (const answer of run.answers) {
    answer.outcomes.forEach((outcome, i) => {
      const key = answer.keys[i]!;
      byEvent.set(key, [...(byEvent.get(key) ?? []), outcome]);
    });
  }
  return byEvent;
}

beforeAll(async () => {
  plan = buildChaosPlan({
    seed: SEED,
    events: scaled(2000),
    users: scaled(200),
    duplicateRate: 0.15,
    invalidRate: 0.01,
    maxBatchSize: 16,
  });
  eiam = await startEiamEmulator({
    instanceIds: [CHAOS_INSTANCE_ID],
    credentials: [INSTANCE_KEY, CHILD_KEY],
    users: plan.users,
    customFields: CHAOS_CUSTOM_FIELDS,
    organizationalUnits: CHAOS_ORGANIZATIONAL_UNITS,
    log: (line) => eiamLogHook?.(line),
  });
  mns = await startMnsEmulator({ topics: [{ name: TOPIC }], credentials: [INSTANCE_KEY, CHILD_KEY] });
  keyPrefix = `rel-chaos:${randomUUID().slice(0, 8)}:`;
  const env: Record<string, string> = {
    EIAM_INSTANCE_ID: CHAOS_INSTANCE_ID,
    EIAM_ENDPOINT: eiam.endpoint,
    EIAM_PROTOCOL: "http",
    EIAM_READ_TIMEOUT_MS: "200",
    EIAM_CONNECT_TIMEOUT_MS: "200",
    EIAM_MAX_ATTEMPTS: "4",
    EIAM_RETRY_BASE_MS: "5",
    EIAM_RETRY_MAX_MS: "40",
    EIAM_MAX_CONCURRENCY: "8",
    EIAM_MAX_QPS: "5000",
    DEADLINE_MARGIN_MS: "1000",
    LOG_LEVEL: "error",
    WEBHOOK_AUTH: "none",
    IDEMPOTENCY_STORE: "redis",
    REDIS_URL,
    IDEMPOTENCY_KEY_PREFIX: keyPrefix,
    DEAD_LETTER_TOPIC: TOPIC,
    MNS_ACCOUNT_ID: mns.accountId,
    MNS_ENDPOINT: mns.url,
  };
  runtime = createRuntime(env, { logger: createLogger({ level: "error", sink: () => undefined }) });
  eiam.state.setFaults({
    failureRate: 0.2,
    failureKinds: [...FAULT_KINDS],
    timeoutHoldMs: 300,
    retryAfterMs: 20,
  });
  run = await runChaos({
    plan,
    runtime,
    eiam,
    mns,
    deadLetterTopic: TOPIC,
    childEnv: env,
    instanceContext: () => context(INSTANCE_KEY),
    childContext: () => context(CHILD_KEY),
    childAccessKeyId: CHILD_KEY.accessKeyId,
    setEiamLogHook: (hook) => {
      eiamLogHook = hook;
    },
    kills: Math.max(2, scaled(3)),
    instances: 4,
    rnd: seededRandom(SEED + 1),
    maxDeliveriesPerBatch: 60,
  });
  eiam.state.clearFaults();

  const log = eiam.state.requestLog;
  const finalOutcomes = run.answers.filter((a) => a.final).flatMap((a) => a.outcomes);
  const stats = {
    suite: "chaos",
    scale: SCALE,
    seed: SEED,
    users: plan.users.length,
    events: plan.events.length,
    eventsByKind: countBy(plan.events, (e) => e.kind),
    messages: plan.messages.length,
    duplicates: countBy(
      plan.messages.filter((m) => m.copy !== "none"),
      (m) => m.copy,
    ),
    batches: plan.batches.length,
    eiamCalls: countBy(log, (e) => e.action),
    faultsInjected: countBy(
      log.filter((e) => e.fault !== undefined),
      (e) => e.fault!,
    ),
    finalOutcomesByStatus: countBy(finalOutcomes, (o) => o.status),
    invocations: run.answers.filter((a) => a.where !== "redrive").length,
    redeliveries: run.deliveriesPerBatch.reduce((a, b) => a + b, 0) - plan.batches.length,
    kills: run.killedBatches.size,
    redriven: run.redriven,
    deadLetters: mns.state.topicMessages(TOPIC).length,
    unexpectedErrors: run.unexpectedErrors.length,
    durationMs: run.durationMs,
  };
  console.log(JSON.stringify(stats));
}, 300_000 * SCALE);

afterAll(async () => {
  await runtime?.store.close();
  await runtime?.limiter.close();
  await eiam?.close();
  await mns?.close();
  const redis = openTestRedis();
  await deleteKeysWithPrefix(redis, keyPrefix);
  redis.disconnect();
});

describe("chaos: faults, redeliveries and killed processes", () => {
  it("ran the storm it promised: faults of every kind, duplicates, kills, invalid events", () => {
    const faults = countBy(
      eiam.state.requestLog.filter((e) => e.fault !== undefined),
      (e) => e.fault!,
    );
    for (const kind of FAULT_KINDS) expect(faults[kind] ?? 0, `faults of kind ${kind}`).toBeGreaterThan(0);
    expect(run.killedBatches.size).toBeGreaterThanOrEqual(2);
    expect(plan.messages.length).toBeGreaterThan(plan.events.length);
    expect(run.unexpectedErrors).toEqual([]);
  });

  it("EIAM ends in the oracle's state: per user and field, the newest event's value", () => {
    const expected = expectedUsers(plan);
    const mismatches = expected.flatMap((want) => {
      const user = eiam.state.getUser(want.userId);
      const got = user && {
        userId: user.userId,
        displayName: user.displayName,
        email: user.email,
        ...(user.phoneNumber === undefined
          ? {}
          : { phoneRegion: user.phoneRegion, phoneNumber: user.phoneNumber }),
        customFields: user.customFields,
      };
      return isDeepStrictEqual(got, want) ? [] : [{ want, got }];
    });
    // For the first wrong user: what every event of theirs was, and how each ended, to tell why.
    const first = mismatches[0];
    const history =
      first &&
      plan.events
        .filter((e) => e.userIndex !== undefined && plan.users[e.userIndex]?.userId === first.want.userId)
        .map((e) => ({
          key: e.key,
          occurredAtMs: e.occurredAtMs,
          fields: e.fields,
          statuses: (outcomesByEvent().get(e.key) ?? []).map((o) => o.status),
        }));
    expect({ wrongUsers: mismatches.length, mismatches: mismatches.slice(0, 3), history }).toEqual({
      wrongUsers: 0,
      mismatches: [],
      history: undefined,
    });
  });

  it("EIAM ends in the oracle's status and organizational units: per user, the newest event's", () => {
    const expected = expectedLifecycles(plan.users, plan.events);
    expect(plan.events.filter((e) => e.lifecycle?.status === "disabled").length).toBeGreaterThan(0);
    expect(plan.events.filter((e) => e.lifecycle?.members !== undefined).length).toBeGreaterThan(0);
    const mismatches = expected.flatMap((want) => {
      const user = eiam.state.getUser(want.userId);
      const got = user && actualLifecycle(user);
      return isDeepStrictEqual(got, want) ? [] : [{ want, got }];
    });
    expect({ wrongUsers: mismatches.length, mismatches: mismatches.slice(0, 3) }).toEqual({
      wrongUsers: 0,
      mismatches: [],
    });
  });

  it("every delivery's final answer is an outcome, never deferred, one per message", () => {
    for (const answer of run.answers.filter((a) => a.final && a.where !== "redrive")) {
      expect(answer.outcomes.length).toBe(answer.keys.length);
      for (const outcome of answer.outcomes) expect(outcome.status).not.toBe("deferred");
    }
    const finished = new Set(run.answers.filter((a) => a.final && a.where !== "redrive").map((a) => a.batch));
    expect(finished.size).toBe(plan.batches.length);
  });

  it("every valid event is applied exactly once (or found done after a kill), never dead-lettered for good", () => {
    const byEvent = outcomesByEvent();
    const killedEvents = new Set(
      [...run.killedBatches].flatMap((b) => plan.batches[b]!.map((m) => m.eventKey)),
    );
    const wrong: unknown[] = [];
    for (const event of plan.events.filter((e) => e.kind === "valid")) {
      const outcomes = byEvent.get(event.key) ?? [];
      const settled = outcomes.filter((o) => SETTLED.has(o.status));
      const lost = outcomes.filter((o) => o.status === "dead_lettered" && o.error?.retryable === false);
      const allowed = killedEvents.has(event.key) ? [0, 1] : [1];
      if (!allowed.includes(settled.length) || lost.length > 0 || outcomes.length === 0) {
        wrong.push({
          event: event.key,
          statuses: outcomes.map((o) => o.status),
          lost: lost.map((o) => o.error),
        });
      }
    }
    expect({ wrong: wrong.length, first: wrong.slice(0, 5) }).toEqual({ wrong: 0, first: [] });
  });

  it("every invalid event ends dead-lettered exactly once, at its stage and with its code", () => {
    const byEvent = outcomesByEvent();
    const published = new Map(publishedDeadLetters(mns, TOPIC).map((d) => [d.messageId, d]));
    const wrong: unknown[] = [];
    for (const event of plan.events.filter((e) => e.kind !== "valid")) {
      const want = EXPECTED_FAILURE[event.kind as Exclude<EventKind, "valid">];
      const outcomes = byEvent.get(event.key) ?? [];
      // The dead letter: in an answer, or, when the process that wrote it was killed before answering, the
      // published record that the later answers (duplicates) name.
      const final = outcomes.filter((o) => o.status === "dead_lettered" && o.error?.code === want.code);
      const namedIds = new Set(outcomes.filter((o) => o.status === "duplicate").map((o) => o.deadLetterId));
      const records = [...new Set([...final.map((o) => o.deadLetterId), ...namedIds])]
        .map((id) => published.get(id ?? ""))
        .filter((d) => d !== undefined && d.record.error.code === want.code);
      // Redeliveries and resends of a dead-lettered event are answered as duplicates of that dead letter.
      const other = outcomes.filter(
        (o) =>
          o.status !== "deferred" &&
          o.status !== "duplicate" &&
          !(o.status === "dead_lettered" && o.error?.retryable),
      );
      const ok =
        records.length === 1 &&
        records[0]!.record.error.stage === want.stage &&
        other.length <= 1 &&
        outcomes.every((o) => o.status !== "duplicate" || o.deadLetterId === records[0]!.messageId);
      if (!ok) {
        wrong.push({
          event: event.key,
          kind: event.kind,
          // More than one message: the producer resent it; one message in several answers: a batch redelivery.
          messages: plan.messages.filter((m) => m.eventKey === event.key).length,
          outcomes: outcomes.map((o) => [o.status, o.error?.code, o.deadLetterId]),
        });
      }
    }
    expect({ wrong: wrong.length, first: wrong.slice(0, 5) }).toEqual({ wrong: 0, first: [] });
  });

  it("every dead-lettered outcome is in the dead-letter topic with its reason", () => {
    const published = new Map(publishedDeadLetters(mns, TOPIC).map((d) => [d.messageId, d]));
    const missing: unknown[] = [];
    for (const answer of run.answers) {
      answer.outcomes.forEach((outcome, i) => {
        if (outcome.status !== "dead_lettered" || answer.where === "redrive") return;
        const found = published.get(outcome.deadLetterId ?? "");
        const ok =
          found !== undefined &&
          found.record.error.code === outcome.error?.code &&
          found.record.error.stage === outcome.error?.stage &&
          found.record.error.message !== "" &&
          found.tag === outcome.error?.stage &&
          (found.record.eventId ?? found.record.delivery.deliveryId) === answer.keys[i];
        if (!ok)
          missing.push({ key: answer.keys[i], deadLetterId: outcome.deadLetterId, error: outcome.error });
      });
    }
    expect({ missing: missing.length, first: missing.slice(0, 5) }).toEqual({ missing: 0, first: [] });
  });
});
