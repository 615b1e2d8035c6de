/**
 * Many deliveries → one outcome per event. Changes are grouped by EIAM user: groups run in parallel
 * (bounded), the changes of one user run one after another in the order they happened.
 */
import { EiamError } from "../eiam/errors.ts";
import { RetriesExhausted, withRetry } from "../eiam/retry.ts";
import { UserResolutionError } from "../resolve/user-resolver.ts";
import type { Delivery } from "../triggers/delivery.ts";
import { applyChange, type ChangeTarget } from "./apply-change.ts";
import { mapWithConcurrency } from "./concurrency.ts";
import { earlierDeadLetter, identityOfInvalid } from "./dead-letter-memory.ts";
import { DEAD_LETTER_BUSY, deadLetterOnce } from "./dead-letters.ts";
import type { PipelineDeps } from "./deps.ts";
import { afterRetries, outcomeBase } from "./event-outcomes.ts";
import type { Invocation } from "./invocation.ts";
import type { EventOutcome, FailurePolicy, OutcomeError } from "./outcome.ts";
import { type InvalidInput, type PrepareOptions, prepareDelivery, type ReadyEvent } from "./prepare.ts";
import { withRejectedPart } from "./rejected-part.ts";

async function rejectInvalid(item: InvalidInput, deps: PipelineDeps, inv: Invocation): Promise<EventOutcome> {
  const base = {
    deliveryId: item.delivery.deliveryId,
    ...(item.eventId !== undefined ? { eventId: item.eventId } : {}),
  };
  const error: OutcomeError = {
    stage: item.stage,
    code: item.stage === "decode" ? "UnreadablePayload" : "InvalidEvent",
    message: item.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join("; "),
    retryable: false,
    problems: item.problems,
  };
  const result = await deadLetterOnce(
    identityOfInvalid(item),
    { delivery: item.delivery, error, eventId: item.eventId, source: item.source, attempts: 0 },
    deps,
    inv,
  );
  if (result.kind === "busy") return { ...base, status: "deferred", error: DEAD_LETTER_BUSY };
  if (result.kind === "duplicate") return { ...base, status: "duplicate", deadLetterId: result.deadLetterId };
  return { ...base, status: "dead_lettered", deadLetterId: result.deadLetterId, error };
}

type Resolved =
  | { ev: ReadyEvent; userId: string }
  | { ev: ReadyEvent; create: true }
  | { ev: ReadyEvent; outcome: EventOutcome };

/** UNKNOWN_USER=create makes a user for an event that finds none, unless the event is a leaver's. */
function mayCreate(ev: ReadyEvent, options: PrepareOptions): boolean {
  const lifecycle = ev.change.lifecycle;
  return (
    options.lifecycle?.unknownUser === "create" &&
    ev.change.user.userId === undefined &&
    lifecycle?.status !== "disabled" &&
    lifecycle?.delete !== true
  );
}

async function resolveUser(
  ev: ReadyEvent,
  deps: PipelineDeps,
  inv: Invocation,
  policy: FailurePolicy,
  options: PrepareOptions,
): Promise<Resolved> {
  try {
    const { value } = await withRetry(
      async () => {
        try {
          return await deps.resolver.resolve(ev.change.user, inv.deadlineMs);
        } catch (err) {
          // Not found / ambiguous are answers, not failures of the call: never retried.
          if (err instanceof UserResolutionError) throw new EiamError(err.code, err.message, false);
          throw err;
        }
      },
      deps.retry,
      { deadlineMs: inv.deadlineMs, now: deps.now, random: deps.random },
    );
    return { ev, userId: value };
  } catch (err) {
    if (!(err instanceof RetriesExhausted)) throw err;
    if (err.last.code === "UserNotFound" && mayCreate(ev, options)) return { ev, create: true };
    return { ev, outcome: await afterRetries(ev, undefined, "resolve", err, policy, deps, inv) };
  }
}

function byTime(a: ReadyEvent, b: ReadyEvent): number {
  return a.change.occurredAtMs - b.change.occurredAtMs || (a.change.eventId < b.change.eventId ? -1 : 1);
}

export async function processDeliveries(
  deliveries: readonly Delivery[],
  options: PrepareOptions,
  deps: PipelineDeps,
  inv: Invocation,
  policy: FailurePolicy,
): Promise<EventOutcome[]> {
  const prepared = deliveries.flatMap((d) => prepareDelivery(d, options));
  const outcomes = new Map<object, EventOutcome>();

  const invalid = prepared.filter((p): p is InvalidInput => p.kind === "invalid");
  const ready = prepared.filter((p): p is ReadyEvent => p.kind === "ready");

  await mapWithConcurrency(invalid, deps.maxConcurrency, async (item) => {
    outcomes.set(item, await rejectInvalid(item, deps, inv));
  });

  const fresh: ReadyEvent[] = [];
  await mapWithConcurrency(ready, deps.maxConcurrency, async (ev) => {
    const earlier = await earlierDeadLetter(deps, { key: ev.idempotencyKey, hash: ev.payloadHash });
    if (earlier === undefined) fresh.push(ev);
    else outcomes.set(ev, { ...outcomeBase(ev), status: "duplicate", deadLetterId: earlier });
  });

  const resolved = await mapWithConcurrency(fresh, deps.maxConcurrency, (ev) =>
    resolveUser(ev, deps, inv, policy, options),
  );
  const groups = new Map<string, { target: ChangeTarget; events: ReadyEvent[] }>();
  for (const r of resolved) {
    if ("outcome" in r) {
      outcomes.set(r.ev, r.outcome);
      continue;
    }
    // A user to create is grouped by its key, so two events about one joiner never create it twice.
    const groupKey = "userId" in r ? r.userId : `new:${JSON.stringify(r.ev.change.user)}`;
    const group = groups.get(groupKey) ?? {
      target: "userId" in r ? { userId: r.userId } : { create: true as const },
      events: [],
    };
    group.events.push(r.ev);
    groups.set(groupKey, group);
  }

  await mapWithConcurrency([...groups.values()], deps.maxConcurrency, async ({ target, events }) => {
    for (const ev of events.sort(byTime)) {
      const outcome = await applyChange(ev, target, deps, inv, policy, options.lifecycle);
      outcomes.set(ev, await withRejectedPart(ev, outcome, deps, inv));
    }
  });

  return prepared.map((p) => outcomes.get(p)!);
}
