/**
 * One ready change → one outcome: claim it, resolve the user, plan the fields, call UpdateUser within the
 * deadline, record what was applied. Failures that retrying cannot fix go to the dead-letter topic.
 */
import { EiamError } from "../eiam/errors.ts";
import { RetriesExhausted, withRetry } from "../eiam/retry.ts";
import { deadLetter } from "./dead-letters.ts";
import type { PipelineDeps } from "./deps.ts";
import type { Invocation } from "./invocation.ts";
import type { EventOutcome, OutcomeError } from "./outcome.ts";
import { isEmpty, planChange, toUpdateUserParams } from "./plan.ts";
import type { ReadyEvent } from "./prepare.ts";

export type FailurePolicy = {
  /** Webhook senders retry on 503: retryable failures are handed back to them instead of dead-lettered. */
  retryableExhausted: "dead-letter" | "defer";
};

const USER_LEASE_POLL_MS = 50;
/** No event starts with less time than this left before the deadline. */
const MIN_WORK_MS = 100;

function base(ev: ReadyEvent): Pick<EventOutcome, "deliveryId" | "eventId" | "ignored"> {
  return {
    deliveryId: ev.delivery.deliveryId,
    eventId: ev.change.eventId,
    ...(ev.ignored.length > 0 ? { ignored: ev.ignored } : {}),
  };
}

function errorOf(stage: OutcomeError["stage"], e: EiamError): OutcomeError {
  return {
    stage,
    code: e.code,
    message: e.message,
    retryable: e.retryable,
    ...(e.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
    ...(e.requestId !== undefined ? { eiamRequestId: e.requestId } : {}),
  };
}

export async function applyChange(
  ev: ReadyEvent,
  userId: string,
  deps: PipelineDeps,
  inv: Invocation,
  policy: FailurePolicy,
): Promise<EventOutcome> {
  const { store, now } = deps;
  if (now() + MIN_WORK_MS >= inv.deadlineMs) {
    // Too late to start: hand it back untouched rather than risk being cut off half-way.
    return {
      ...base(ev),
      status: "deferred",
      userId,
      error: { stage: "apply", code: "DeadlineReached", message: "the invocation ran out of time", retryable: true },
    };
  }
  const claim = await store.claim(ev.idempotencyKey, ev.payloadHash, inv.deadlineMs, now());
  if (claim.kind === "completed") {
    return { ...base(ev), status: "duplicate", userId, eiamRequestId: claim.outcome.eiamRequestId };
  }
  if (claim.kind === "in_progress") {
    return {
      ...base(ev),
      status: "deferred",
      userId,
      error: {
        stage: "apply",
        code: "InProgressElsewhere",
        message: "another instance is applying this event now",
        retryable: true,
      },
    };
  }
  if (claim.kind === "conflict") {
    const error: OutcomeError = {
      stage: "validate",
      code: "IdempotencyKeyConflict",
      message: `event id ${JSON.stringify(ev.change.eventId)} was already used for a different change`,
      retryable: false,
    };
    return deadLetterOutcome(ev, userId, error, 0, deps, inv, false);
  }

  let settled = false;
  try {
    const outcome = await applyClaimed(ev, userId, deps, inv, policy);
    settled = true;
    return outcome;
  } finally {
    // Anything that did not end in a stored outcome is released so a redelivery can run it again.
    if (!settled) await store.release(ev.idempotencyKey, ev.payloadHash).catch(() => undefined);
  }
}

async function applyClaimed(
  ev: ReadyEvent,
  userId: string,
  deps: PipelineDeps,
  inv: Invocation,
  policy: FailurePolicy,
): Promise<EventOutcome> {
  const { store, now } = deps;
  const owner = `${inv.fcRequestId}:${ev.idempotencyKey}`;
  if (!(await acquireUserLease(userId, owner, deps, inv))) {
    await store.release(ev.idempotencyKey, ev.payloadHash);
    return {
      ...base(ev),
      status: "deferred",
      userId,
      error: {
        stage: "apply",
        code: "UserBusy",
        message: "another instance is writing this user",
        retryable: true,
      },
    };
  }
  try {
    const fieldNames = Object.keys(planChange(ev.change, {}).versions);
    const plan = planChange(ev.change, await store.readFields(userId, fieldNames));
    if (isEmpty(plan.write)) {
      const status = plan.unchanged.length === 0 && plan.stale.length > 0 ? "stale" : "noop";
      await store.writeFields(userId, plan.versions, deps.recordTtlSeconds);
      await store.complete(ev.idempotencyKey, ev.payloadHash, { status, at: now() }, deps.recordTtlSeconds);
      return { ...base(ev), status, userId, fields: plan.unchanged, staleFields: plan.stale };
    }

    const params = toUpdateUserParams(deps.eiam.instanceId, userId, plan.write);
    let result: { value: { requestId: string }; attempts: number };
    try {
      result = await withRetry(
        async () => {
          if (!(await deps.limiter.acquire(inv.deadlineMs))) {
            throw new EiamError("LocalRateLimit", "no EIAM quota left before the deadline", true);
          }
          try {
            return await deps.eiam.updateUser(params, { timeoutMs: inv.deadlineMs - now() });
          } catch (err) {
            if (err instanceof Error && /Throttling/.test(String((err as { code?: unknown }).code))) {
              deps.limiter.onThrottled(now());
            }
            throw err;
          }
        },
        deps.retry,
        { deadlineMs: inv.deadlineMs, now, random: deps.random },
      );
    } catch (err) {
      if (!(err instanceof RetriesExhausted)) throw err;
      const error = errorOf("apply", err.last);
      const hand =
        err.reason === "deadline" || (err.reason === "attempts" && policy.retryableExhausted === "defer");
      if (err.last.retryable && hand) {
        await store.release(ev.idempotencyKey, ev.payloadHash);
        return { ...base(ev), status: "deferred", userId, attempts: err.attempts, error };
      }
      return deadLetterOutcome(ev, userId, error, err.attempts, deps, inv, true);
    }

    const rejected = await store.writeFields(userId, plan.versions, deps.recordTtlSeconds);
    const eiamRequestId = result.value.requestId;
    await store.complete(
      ev.idempotencyKey,
      ev.payloadHash,
      { status: "applied", at: now(), eiamRequestId },
      deps.recordTtlSeconds,
    );
    return {
      ...base(ev),
      status: "applied",
      userId,
      eiamRequestId,
      fields: plan.written,
      attempts: result.attempts,
      ...(plan.stale.length + rejected.length > 0 ? { staleFields: [...plan.stale, ...rejected] } : {}),
    };
  } finally {
    await store.releaseUserLease(userId, owner).catch(() => undefined);
  }
}

async function acquireUserLease(
  userId: string,
  owner: string,
  deps: PipelineDeps,
  inv: Invocation,
): Promise<boolean> {
  for (;;) {
    if (await deps.store.acquireUserLease(userId, owner, inv.deadlineMs, deps.now())) return true;
    if (deps.now() + USER_LEASE_POLL_MS >= inv.deadlineMs) return false;
    await new Promise((r) => setTimeout(r, USER_LEASE_POLL_MS));
  }
}

async function deadLetterOutcome(
  ev: ReadyEvent,
  userId: string | undefined,
  error: OutcomeError,
  attempts: number,
  deps: PipelineDeps,
  inv: Invocation,
  claimed: boolean,
): Promise<EventOutcome> {
  const deadLetterId = await deadLetter(
    deps.deadLetters,
    {
      delivery: ev.delivery,
      error,
      eventId: ev.change.eventId,
      source: ev.change.source,
      idempotencyKey: ev.idempotencyKey,
      userKey: ev.change.user,
      userId,
      change: ev.change,
      attempts,
    },
    inv,
    deps.now(),
  );
  // A dead-lettered change keeps no claim: a redrive of the fixed event must be able to apply it.
  if (claimed) await deps.store.release(ev.idempotencyKey, ev.payloadHash);
  return { ...base(ev), status: "dead_lettered", userId, deadLetterId, attempts, error };
}
