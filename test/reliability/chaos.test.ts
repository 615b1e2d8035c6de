/**
 * Chaos: thousands of events for a few hundred users, redelivered, shuffled and batched like EventBridge's MNS
 * stream or sent one by one as signed webhooks, through the real handler and the real SDKs, while EIAM fails
 * a fifth of its calls, Redis and MNS time out, refuse and vanish, processes are SIGKILLed mid-batch, and every
 * invocation that fails is delivered again. Event ids are Unicode (astral emoji, fullwidth forms, combining
 * marks), with ties in the same millisecond that JavaScript's string order and UTF-8 byte order decide
 * differently. Poison messages (not JSON, schema-invalid, two invalid events sharing one id) ride in the batches.
 * It runs once with the Redis store and once with the memory store.
 *
 * At the end: EIAM holds exactly what field-level last-writer-wins says; EIAM's request log shows no value set
 * twice, none older over a newer one, none that no event carried; every event has one final outcome or is in
 * the dead-letter topic; and no log line (debug and up) or dead-letter record holds a secret or personal data.
 */
import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EiamEmulator, startEiamEmulator } from "../../local/eiam-emulator/server.ts";
import { type MnsEmulator, startMnsEmulator } from "../../local/mns-emulator/server.ts";
import type { DeadLetterRecord } from "../../shared/dead-letter/record.ts";
import { createRuntime, type Runtime } from "../../shared/handler/runtime.ts";
import { createLogger } from "../../shared/log.ts";
import type { EventOutcome } from "../../shared/pipeline/outcome.ts";
import { deleteKeysWithPrefix, openTestRedis, REDIS_URL } from "../helpers/redis.ts";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.ts";
import { recordWithoutPayload, scanForLeaks } from "./support/chaos-leaks.ts";
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
  type PlannedEvent,
} from "./support/chaos-plan.ts";
import { type ChaosRun, runChaos } from "./support/chaos-run.ts";
import { publishedDeadLetters } from "./support/dead-letter-topic.ts";
import { checkEiamRequestLog, type LogOracleReport } from "./support/eiam-log-oracle.ts";
import { type InfraFaults, startInfraFaults } from "./support/infra-faults.ts";
import { expectedUsers } from "./support/oracle.ts";
import { SCALE, scaled } from "./support/scale.ts";
import { seededRandom } from "./support/seeded-random.ts";
import { newWhsecSecret } from "./support/webhook-signing.ts";

const SEED = Number(process.env.CHAOS_SEED ?? 20_260_821);
const TOPIC = "eiam-user-sync-dlq";
const STS_TOKEN = `CAIS${"chaosStsToken0123456789".repeat(3)}`;
const INSTANCE_KEY = {
  accessKeyId: "STS.chaos_instance",
  accessKeySecret: "chaos-instance-secret-0123456789abcdef",
  securityToken: STS_TOKEN,
};
const CHILD_KEY = { accessKeyId: "LTAI_chaos_child", accessKeySecret: "chaos-child-secret-0123456789abcdef" };
const WEBHOOK_SECRET = newWhsecSecret();
const BEARER_TOKEN = "chaos-bearer-7f3a9c2e4b1d8f6a0c5e3b7d9a1f4c8e";
const SESSION_COOKIE = "chaos-session-2d9e7b4a1c6f3e8d0b5a7c9e1f3d5b7a";
const EIAM_FAULT_KINDS = ["5xx", "throttle", "timeout", "drop", "drop-after-apply"] as const;
/** Seconds; short so the leases of a failed invocation lapse soon (the deadline is this minus DEADLINE_MARGIN_MS). */
const FUNCTION_TIMEOUT_S = 4;
/** A child's first invocation is a cold start (module loading, connections): on a busy machine that alone can
 * take most of 4 s, and every event would be handed back before the planned kill. */
const CHILD_TIMEOUT_S = 10;

/** How each kind of invalid event must end: dead-lettered at this stage with this code. */
const EXPECTED_FAILURE: Record<Exclude<EventKind, "valid">, { stage: string; code: string }> = {
  "bad-phone": { stage: "validate", code: "InvalidEvent" },
  "unknown-user": { stage: "apply", code: "EntityNotExists.User" },
  "unknown-external": { stage: "resolve", code: "UserNotFound" },
  garbage: { stage: "decode", code: "UnreadablePayload" },
  "schema-invalid": { stage: "validate", code: "InvalidEvent" },
  "long-id": { stage: "validate", code: "InvalidEvent" },
};
const SETTLED = new Set(["applied", "noop", "stale"]);
/** The errors an invocation fails with while Redis or MNS is away. */
const FAIL_CLOSED_ERRORS = [
  "IdempotencyStoreUnavailableError",
  "RateLimiterUnavailableError",
  "DeadLetterPublishError",
];

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** The body the record's delivery carried: the MNS message body, or the webhook's body. */
function bodyOf(record: DeadLetterRecord): string | undefined {
  const original = record.delivery.original as {
    data?: { messageBody?: unknown };
    body?: unknown;
    isBase64Encoded?: unknown;
  };
  if (record.delivery.encoding === "base64" && typeof original === "string") {
    return Buffer.from(original, "base64").toString("utf8");
  }
  if (typeof original?.data?.messageBody === "string") return original.data.messageBody;
  if (typeof original?.body === "string") {
    return original.isBase64Encoded === true
      ? Buffer.from(original.body, "base64").toString("utf8")
      : original.body;
  }
  return undefined;
}

/** A record names the planned event: its id as is, or cut short by a cap (the plan's ids are unique in 64). */
function namesEvent(recordId: string | undefined, planned: string): boolean {
  if (recordId === undefined) return false;
  return recordId === planned || (planned.length > 128 && recordId.slice(0, 64) === planned.slice(0, 64));
}

/** Tied events of one user whose ids JavaScript and UTF-8 bytes put in opposite orders. */
function unicodeTies(plan: ChaosPlan): number {
  const byUserTime = new Map<string, PlannedEvent[]>();
  for (const e of plan.events.filter((e) => e.kind === "valid")) {
    const k = `${e.userIndex}|${e.occurredAtMs}`;
    byUserTime.set(k, [...(byUserTime.get(k) ?? []), e]);
  }
  let ties = 0;
  for (const group of byUserTime.values()) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const a = group[i]!.key;
        const b = group[j]!.key;
        if (a < b !== Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0) ties += 1;
      }
    }
  }
  return ties;
}

interface StoreVariant {
  store: "redis" | "memory";
  /** Printed in every test's name, so a failure names the stream that rebuilds it. */
  seed: number;
  events: number;
  users: number;
  /** Children have their own memory: with the memory store they would be other instances, so none are run. */
  kills: number;
}

const VARIANTS: StoreVariant[] = [
  { store: "redis", seed: SEED, events: scaled(2000), users: scaled(200), kills: Math.max(2, scaled(3)) },
  { store: "memory", seed: SEED + 7, events: scaled(1000), users: scaled(100), kills: 0 },
];

describe.each(VARIANTS)("chaos with the $store store, seed $seed", (variant) => {
  let eiam: EiamEmulator;
  let mns: MnsEmulator;
  let redisProxy: TcpProxy | undefined;
  let mnsProxy: TcpProxy;
  let faults: InfraFaults;
  let runtime: Runtime;
  let plan: ChaosPlan;
  let run: ChaosRun;
  let logOracle: LogOracleReport;
  let keyPrefix: string;
  let eiamLogHook: ((line: string) => void) | undefined;
  const logLines: string[] = [];
  const seed = variant.seed;

  const context = (key: typeof INSTANCE_KEY | typeof CHILD_KEY, timeout = FUNCTION_TIMEOUT_S) => ({
    requestId: randomUUID(),
    credentials: key,
    function: { name: "eiam-user-sync", handler: "index.handler", timeout },
    region: "cn-hangzhou",
  });

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
      seed,
      events: variant.events,
      users: variant.users,
      duplicateRate: 0.15,
      invalidRate: 0.012,
      maxBatchSize: 16,
      webhookRate: 0.2,
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
    mnsProxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(mns.url).port) });
    const redisUrl = new URL(REDIS_URL);
    if (variant.store === "redis") {
      redisProxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
      redisUrl.hostname = "127.0.0.1";
      redisUrl.port = String(redisProxy.port);
    }
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
      LOG_LEVEL: "debug",
      WEBHOOK_AUTH: "standard-webhooks",
      WEBHOOK_SECRETS: WEBHOOK_SECRET,
      IDEMPOTENCY_STORE: variant.store,
      ...(variant.store === "redis" ? { REDIS_URL: redisUrl.toString() } : {}),
      IDEMPOTENCY_KEY_PREFIX: keyPrefix,
      DEAD_LETTER_TOPIC: TOPIC,
      MNS_ACCOUNT_ID: mns.accountId,
      MNS_ENDPOINT: `http://127.0.0.1:${mnsProxy.port}`,
    };
    runtime = createRuntime(env, {
      logger: createLogger({ level: "debug", sink: (line) => logLines.push(line) }),
    });
    eiam.state.setFaults({
      failureRate: 0.2,
      failureKinds: [...EIAM_FAULT_KINDS],
      timeoutHoldMs: 300,
      retryAfterMs: 20,
    });
    const rnd = seededRandom(seed + 1);
    faults = startInfraFaults({
      rnd: seededRandom(seed + 2),
      ...(redisProxy ? { redisProxy } : {}),
      mns,
      mnsProxy,
      gapMs: [300, 900],
      rounds: Math.max(3, scaled(3)),
    });
    run = await runChaos({
      plan,
      runtime,
      eiam,
      mns,
      deadLetterTopic: TOPIC,
      childEnv: env,
      instanceContext: () => context(INSTANCE_KEY),
      childContext: () => context(CHILD_KEY, CHILD_TIMEOUT_S),
      childAccessKeyId: CHILD_KEY.accessKeyId,
      setEiamLogHook: (hook) => {
        eiamLogHook = hook;
      },
      kills: variant.kills,
      instances: 4,
      rnd,
      maxDeliveriesPerBatch: 60,
      webhook: {
        secret: WEBHOOK_SECRET,
        extraHeaders: { authorization: `Bearer ${BEARER_TOKEN}`, cookie: `session=${SESSION_COOKIE}` },
      },
      beforeRedrive: async () => {
        await faults.stop();
        eiam.state.clearFaults();
      },
    });
    logOracle = checkEiamRequestLog(plan, eiam.state.requestLog);

    const log = eiam.state.requestLog;
    const finalOutcomes = run.answers.filter((a) => a.final).flatMap((a) => a.outcomes);
    const stats = {
      suite: "chaos",
      store: variant.store,
      scale: SCALE,
      seed,
      users: plan.users.length,
      events: plan.events.length,
      eventsByKind: countBy(plan.events, (e) => e.kind),
      unicodeTies: unicodeTies(plan),
      messages: plan.messages.length,
      webhookDeliveries: plan.messages.filter((m) => m.route === "webhook").length,
      duplicates: countBy(
        plan.messages.filter((m) => m.copy !== "none"),
        (m) => m.copy,
      ),
      batches: plan.batches.length,
      eiamCalls: countBy(log, (e) => e.action),
      eiamFaults: countBy(
        log.filter((e) => e.fault !== undefined),
        (e) => e.fault!,
      ),
      infraFaults: faults.injected,
      failedInvocations: countBy(run.failedInvocations, (e) => e.split(":")[0]!),
      finalOutcomesByStatus: countBy(finalOutcomes, (o) => o.status),
      invocations: run.answers.filter((a) => a.where !== "redrive").length,
      redeliveries: run.deliveriesPerBatch.reduce((a, b) => a + b, 0) - plan.batches.length,
      kills: run.killedBatches.size,
      childRuns: countBy(run.childRuns, (r) => r),
      redriven: run.redriven,
      deadLetters: mns.state.topicMessages(TOPIC).length,
      eiamStateChanges: logOracle.stateChanges,
      logLines: logLines.length + run.childOutput.length,
      unexpectedErrors: run.unexpectedErrors.length,
      durationMs: run.durationMs,
    };
    console.log(JSON.stringify(stats));
  }, 300_000 * SCALE);

  afterAll(async () => {
    await faults?.stop();
    await runtime?.store.close();
    await runtime?.limiter.close();
    await eiam?.close();
    await mns?.close();
    await mnsProxy?.close();
    await redisProxy?.close();
    if (variant.store === "redis") {
      const redis = openTestRedis();
      await deleteKeysWithPrefix(redis, keyPrefix);
      redis.disconnect();
    }
  });

  it("ran the storm it promised", () => {
    const eiamFaults = countBy(
      eiam.state.requestLog.filter((e) => e.fault !== undefined),
      (e) => e.fault!,
    );
    for (const kind of EIAM_FAULT_KINDS)
      expect(eiamFaults[kind] ?? 0, `EIAM faults ${kind}`).toBeGreaterThan(0);
    const infraKinds = ["mns-refused", "mns-unavailable", "mns-timeout"];
    if (variant.store === "redis") infraKinds.push("redis-timeout", "redis-gone", "redis-cut");
    for (const kind of infraKinds)
      expect(faults.injected[kind] ?? 0, `infra faults ${kind}`).toBeGreaterThan(0);
    expect(run.killedBatches.size).toBeGreaterThanOrEqual(variant.kills > 0 ? 2 : 0);
    expect(plan.messages.length).toBeGreaterThan(plan.events.length);
    expect(plan.messages.some((m) => m.route === "webhook")).toBe(true);
    expect(unicodeTies(plan)).toBeGreaterThan(0);
    // Poison in a batch: a queue batch holding an invalid message next to a valid one.
    const kindOf = new Map(plan.events.map((e) => [e.key, e.kind]));
    const mixed = plan.batches.filter(
      (b) =>
        b.some((m) => kindOf.get(m.eventKey) === "valid") &&
        b.some((m) => ["garbage", "schema-invalid", "long-id"].includes(kindOf.get(m.eventKey) ?? "")),
    );
    expect(mixed.length).toBeGreaterThan(0);
    expect(run.unexpectedErrors).toEqual([]);
    // An invocation may fail only because a dependency is away (the platform delivers it again), never for
    // anything else.
    const reasons = new Set(run.failedInvocations.map((e) => e.split(":")[0]));
    for (const reason of reasons) expect(FAIL_CLOSED_ERRORS).toContain(reason);
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

  it("EIAM's request log: no value no event carried, none applied twice, none older over newer", () => {
    expect(logOracle.stateChanges).toBeGreaterThan(0);
    // What happened to the event whose value was lost or set twice: in a killed process, or in an invocation
    // that failed (Redis or MNS away) after EIAM applied it but before the store recorded it?
    const batchesOf = (key: string) =>
      plan.batches.flatMap((b, i) => (b.some((m) => m.eventKey === key) ? [i] : []));
    const fate = (key: string) => ({
      event: key,
      killed: batchesOf(key).some((b) => run.killedBatches.has(b)),
      failedInvocation: batchesOf(key).some((b) => run.failedBatches.has(b)),
      statuses: (outcomesByEvent().get(key) ?? []).map((o) => o.status),
    });
    const note = (items: unknown[]) =>
      items.slice(0, 3).map((item) => {
        const i = item as { event?: string; newer?: Array<{ event: string }> };
        return {
          ...i,
          fate: [...(i.event ? [i.event] : []), ...(i.newer ?? []).map((n) => n.event)].map(fate),
        };
      });
    expect({
      wrongWrites: logOracle.wrongWrites.length,
      appliedTwice: logOracle.appliedTwice.length,
      olderOverNewer: logOracle.olderOverNewer.length,
      first: {
        wrongWrites: note(logOracle.wrongWrites),
        appliedTwice: note(logOracle.appliedTwice),
        olderOverNewer: note(logOracle.olderOverNewer),
      },
    }).toEqual({
      wrongWrites: 0,
      appliedTwice: 0,
      olderOverNewer: 0,
      first: { wrongWrites: [], appliedTwice: [], olderOverNewer: [] },
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
    // A killed process, or an invocation that failed (Redis or MNS gone) after settling some of its events,
    // answered nothing we saw: those events are then answered `duplicate`, and EIAM's state must still match.
    const killedEvents = new Set(
      [...run.killedBatches, ...run.failedBatches].flatMap((b) => plan.batches[b]!.map((m) => m.eventKey)),
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

  it("every invalid event ends dead-lettered exactly once, in a record of its own, at its stage and with its code", () => {
    const byEvent = outcomesByEvent();
    const published = new Map(publishedDeadLetters(mns, TOPIC).map((d) => [d.messageId, d]));
    const wrong: unknown[] = [];
    for (const event of plan.events.filter((e) => e.kind !== "valid")) {
      const want = EXPECTED_FAILURE[event.kind as Exclude<EventKind, "valid">];
      const outcomes = byEvent.get(event.key) ?? [];
      // The dead letter: in an answer, or, when the process that wrote it was killed before answering, the
      // published record that the later answers (duplicates) name. It must carry this event's own body: two
      // invalid events that share an id are two dead letters.
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
        bodyOf(records[0]!.record) === event.body &&
        other.length <= 1 &&
        outcomes.every((o) => o.status !== "duplicate" || o.deadLetterId === records[0]!.messageId);
      if (!ok) {
        wrong.push({
          event: event.key,
          kind: event.kind,
          route: event.route,
          // More than one message: the producer resent it; one message in several answers: a batch redelivery.
          messages: plan.messages.filter((m) => m.eventKey === event.key).length,
          outcomes: outcomes.map((o) => [o.status, o.error?.code, o.deadLetterId]),
          recordBodies: records.map((d) => bodyOf(d!.record)?.slice(0, 80)),
        });
      }
    }
    expect({ wrong: wrong.length, first: wrong.slice(0, 5) }).toEqual({ wrong: 0, first: [] });
  });

  it("nothing is lost: every event has a final settled or duplicate outcome, or a dead-letter record", () => {
    const finalByEvent = new Map<string, EventOutcome[]>();
    for (const answer of run.answers.filter((a) => a.final)) {
      answer.outcomes.forEach((o, i) => {
        finalByEvent.set(answer.keys[i]!, [...(finalByEvent.get(answer.keys[i]!) ?? []), o]);
      });
    }
    const recorded = publishedDeadLetters(mns, TOPIC).map(
      (d) => d.record.eventId ?? d.record.delivery.deliveryId,
    );
    const lost = plan.events.filter((event) => {
      const done = (finalByEvent.get(event.key) ?? []).some(
        (o) => SETTLED.has(o.status) || o.status === "duplicate",
      );
      return !done && !recorded.some((id) => namesEvent(id, event.eventId ?? event.key));
    });
    expect(lost.map((e) => ({ event: e.key, kind: e.kind, route: e.route })).slice(0, 5)).toEqual([]);
  });

  it("every dead-lettered outcome is in the dead-letter topic with its reason", () => {
    const published = new Map(publishedDeadLetters(mns, TOPIC).map((d) => [d.messageId, d]));
    const eventOfKey = new Map(plan.events.map((e) => [e.key, e]));
    const missing: unknown[] = [];
    for (const answer of run.answers) {
      answer.outcomes.forEach((outcome, i) => {
        if (outcome.status !== "dead_lettered" || answer.where === "redrive") return;
        const found = published.get(outcome.deadLetterId ?? "");
        const event = eventOfKey.get(answer.keys[i]!)!;
        const ok =
          found !== undefined &&
          found.record.error.code === outcome.error?.code &&
          found.record.error.stage === outcome.error?.stage &&
          found.record.error.message !== "" &&
          found.tag === outcome.error?.stage &&
          namesEvent(found.record.eventId ?? found.record.delivery.deliveryId, event.eventId ?? event.key);
        if (!ok)
          missing.push({ key: answer.keys[i], deadLetterId: outcome.deadLetterId, error: outcome.error });
      });
    }
    expect({ missing: missing.length, first: missing.slice(0, 5) }).toEqual({ missing: 0, first: [] });
  });

  it("no log line (debug and up) and no dead-letter record holds a secret, an email, a phone or a name", () => {
    const records = publishedDeadLetters(mns, TOPIC);
    // The scan means something only if the run wrote outcome lines and dead-lettered webhooks.
    expect(logLines.some((l) => l.includes('"level":"info"') && l.includes("event outcome"))).toBe(true);
    expect(logLines.some((l) => l.includes('"level":"warn"'))).toBe(true);
    expect(records.some((d) => (d.record.delivery.trigger ?? "").includes("http"))).toBe(true);
    const leaks = scanForLeaks(
      plan,
      {
        "AccessKey secret (instance)": INSTANCE_KEY.accessKeySecret,
        "AccessKey secret (child)": CHILD_KEY.accessKeySecret,
        "STS token": STS_TOKEN,
        "webhook secret": WEBHOOK_SECRET,
        "bearer token": BEARER_TOKEN,
        "session cookie": SESSION_COOKIE,
      },
      [
        ...logLines.map((text, i) => ({ where: `log line ${i}`, text })),
        ...run.childOutput.map((text, i) => ({ where: `child output line ${i}`, text })),
        // The whole record for secrets; its payload (the change as sent, needed to redrive) may hold the data.
        ...records.map((d) => ({
          where: `record ${d.messageId}`,
          text: JSON.stringify(d.record),
          look: "secrets" as const,
        })),
        ...records.map((d) => ({
          where: `record ${d.messageId} (outside the payload)`,
          text: JSON.stringify(recordWithoutPayload(d.record)),
          look: "personal data" as const,
        })),
      ],
    );
    // The first leak of each kind, so a rare one is not hidden behind many of another.
    const firstSeen = new Map<string, (typeof leaks)[number]>();
    for (const leak of leaks) if (!firstSeen.has(leak.what)) firstSeen.set(leak.what, leak);
    expect({
      leaks: leaks.length,
      first: [...firstSeen.values()],
      kinds: countBy(leaks, (l) => l.what),
    }).toEqual({
      leaks: 0,
      first: [],
      kinds: {},
    });
  });
});
