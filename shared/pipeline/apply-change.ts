/**
 * One ready change → one outcome: claim it, resolve the user, plan the fields, call UpdateUser within the
 * deadline, record what was applied. Failures that retrying cannot fix go to the dead-letter topic.
 */
import { classifyEiamError } from "../eiam/errors.ts";
import { takeEiamQuota } from "../eiam/quota.ts";
import { RetriesExhausted, withRetry } from "../eiam/retry.ts";
import { type ClaimResult, IdempotencyStoreFullError } from "../idempotency/store.ts";
import type { PipelineDeps } from "./deps.ts";
import { afterRetries, deadLetterEvent, handedBack, outcomeBase } from "./event-outcomes.ts";
import type { Invocation } from "./invocation.ts";
import type { EventOutcome, FailurePolicy, OutcomeError } from "./outcome.ts";
import { type FieldVersion, fieldUnits, isEmpty, planChange, toUpdateUserParams } from "./plan.ts";
import type { ReadyEvent } from "./prepare.ts";

const USER_LEASE_POLL_MS = 50;
/** No event starts with less time than this left before the deadline. */
const MIN_WORK_MS = 100;

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
    return handedBack(ev, userId, "DeadlineReached", "the invocation ran out of time");
  }
  let claim: ClaimResult;
  try {
    claim = await store.claim(ev.idempotencyKey, ev.payloadHash, inv.timeoutAtMs, now());
  } catch (err) {
    if (!(err instanceof IdempotencyStoreFullError)) throw err;
    deps.logger.error("idempotency store full: event handed back", {
      eventId: ev.change.eventId,
      maxEntries: err.maxEntries,
      fix: "use IDEMPOTENCY_STORE=redis, or lower IDEMPOTENCY_TTL_SECONDS",
    });
    return handedBack(ev, userId, "IdempotencyStoreFull", err.message);
  }
  if (claim.kind === "completed") {
    return { ...outcomeBase(ev), status: "duplicate", userId, eiamRequestId: claim.outcome.eiamRequestId };
  }
  if (claim.kind === "in_progress") {
    return handedBack(ev, userId, "InProgressElsewhere", "another instance is applying this event now");
  }
  if (claim.kind === "conflict") {
    const error: OutcomeError = {
      stage: "validate",
      code: "IdempotencyKeyConflict",
      message: `event id ${JSON.stringify(ev.change.eventId)} was already used for a different change`,
      retryable: false,
    };
    return deadLetterEvent(ev, userId, error, 0, deps, inv);
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
    return handedBack(ev, userId, "UserBusy", "another instance is writing this user");
  }
  try {
    const units = fieldUnits(ev.change.fields);
    const stored = await store.readFields(
      userId,
      units.map((u) => u.name),
    );
    const plan = planChange(ev.change, stored, units);
    if (isEmpty(plan.write)) {
      const status = plan.unchanged.length === 0 && plan.stale.length > 0 ? "stale" : "noop";
      await store.writeFields(userId, plan.versions, deps.recordTtlSeconds);
      await store.complete(ev.idempotencyKey, ev.payloadHash, { status, at: now() }, deps.recordTtlSeconds);
      return { ...outcomeBase(ev), status, userId, fields: plan.unchanged, staleFields: plan.stale };
    }

    // Before EIAM is called, the fields' versions are recorded with their value unknown: should the store become
    // unreachable once EIAM applied the change, an older change of these fields is still seen as older (and no
    // later one is skipped as equal). When even this write fails, EIAM is not called.
    await store.writeFields(userId, uncertain(plan.versions, plan.written), deps.recordTtlSeconds);
    const params = toUpdateUserParams(deps.eiam.instanceId, userId, plan.write);
    let result: { value: { requestId: string }; attempts: number };
    try {
      result = await withRetry(
        async () => {
          await takeEiamQuota(deps.limiter, inv.deadlineMs);
          try {
            return await deps.eiam.updateUser(params, { timeoutMs: inv.deadlineMs - now() });
          } catch (err) {
            const error = classifyEiamError(err);
            if (error.throttled) deps.limiter.onThrottled(now());
            throw error;
          }
        },
        deps.retry,
        { deadlineMs: inv.deadlineMs, now, random: deps.random },
      );
    } catch (err) {
      if (!(err instanceof RetriesExhausted)) throw err;
      // The fields stay recorded at this change's version with their value unknown: EIAM may have applied it
      // without our hearing of it (a timeout), and a refused change is redriven from its dead letter, not
      // overtaken by an older one.
      const outcome = await afterRetries(ev, userId, "apply", err, policy, deps, inv);
      // Handed back or dead-lettered, the change keeps no claim: a redelivery or a redrive must be able to run it.
      await store.release(ev.idempotencyKey, ev.payloadHash);
      return outcome;
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
      ...outcomeBase(ev),
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

/** The versions of the fields just sent, with their value marked unknown (it matches no value's hash). */
function uncertain(
  versions: Record<string, FieldVersion>,
  sent: readonly string[],
): Record<string, FieldVersion> {
  return Object.fromEntries(
    sent.map((name) => [name, { version: versions[name]!.version, valueHash: "unknown" }]),
  );
}

async function acquireUserLease(
  userId: string,
  owner: string,
  deps: PipelineDeps,
  inv: Invocation,
): Promise<boolean> {
  for (;;) {
    if (await deps.store.acquireUserLease(userId, owner, inv.timeoutAtMs, deps.now())) return true;
    if (deps.now() + USER_LEASE_POLL_MS >= inv.deadlineMs) return false;
    await new Promise((r) => setTimeout(r, USER_LEASE_POLL_MS));
  }
}
