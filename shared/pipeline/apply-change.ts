/**
 * One ready change → one outcome: claim it, look up its OUs, plan the fields, run the EIAM operations in order
 * within the deadline, record what was applied. Failures that retrying cannot fix go to the dead-letter topic.
 *
 * An event may need several operations (plan → operations.ts). Each one that succeeds is recorded in the store
 * before the next starts, so a redelivery or a redrive after a crash resumes at the first one not recorded.
 */
import { RetriesExhausted } from "../eiam/retry.ts";
import { type ClaimResult, IdempotencyStoreFullError } from "../idempotency/store.ts";
import { UserResolutionError } from "../resolve/user-resolver.ts";
import type { PipelineDeps } from "./deps.ts";
import { afterRetries, deadLetterEvent, handedBack, outcomeBase } from "./event-outcomes.ts";
import type { Invocation } from "./invocation.ts";
import { newUserLease, newUserSpec } from "./new-user.ts";
import {
  type Operation,
  operationsForNewUser,
  operationsForUser,
  type ResolvedLifecycle,
  unitsOf,
} from "./operations.ts";
import type { EventOutcome, FailurePolicy, OutcomeError, OutcomeOperation } from "./outcome.ts";
import { type FieldVersion, planChange } from "./plan.ts";
import type { LifecycleOptions, ReadyEvent } from "./prepare.ts";
import { resolveLifecycle } from "./resolve-lifecycle.ts";
import { runOperation } from "./run-operation.ts";

/** Who the change is about: an existing user, or (UNKNOWN_USER=create) one no lookup found yet. */
export type ChangeTarget = { userId: string } | { create: true };

const USER_LEASE_POLL_MS = 50;
/** No event starts with less time than this left before the deadline. */
const MIN_WORK_MS = 100;

export async function applyChange(
  ev: ReadyEvent,
  target: string | ChangeTarget,
  deps: PipelineDeps,
  inv: Invocation,
  policy: FailurePolicy,
  lifecycle?: LifecycleOptions,
): Promise<EventOutcome> {
  const { store, now } = deps;
  const to: ChangeTarget = typeof target === "string" ? { userId: target } : target;
  const userId = "userId" in to ? to.userId : undefined;
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
    return {
      ...outcomeBase(ev),
      status: "duplicate",
      ...(userId !== undefined ? { userId } : {}),
      eiamRequestId: claim.outcome.eiamRequestId,
    };
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
    const outcome = await applyClaimed(ev, to, deps, inv, policy, lifecycle);
    settled = true;
    return outcome;
  } finally {
    // Anything that did not end in a stored outcome is released so a redelivery can run it again.
    if (!settled) await store.release(ev.idempotencyKey, ev.payloadHash).catch(() => undefined);
  }
}

async function applyClaimed(
  ev: ReadyEvent,
  to: ChangeTarget,
  deps: PipelineDeps,
  inv: Invocation,
  policy: FailurePolicy,
  options?: LifecycleOptions,
): Promise<EventOutcome> {
  const { store } = deps;
  const owner = `${inv.fcRequestId}:${ev.idempotencyKey}`;
  const lease = "userId" in to ? to.userId : newUserLease(ev.change.user);
  const knownUserId = "userId" in to ? to.userId : undefined;
  if (!(await acquireUserLease(lease, owner, deps, inv))) {
    await store.release(ev.idempotencyKey, ev.payloadHash);
    return handedBack(ev, knownUserId, "UserBusy", "another instance is writing this user");
  }
  const giveUp = async (
    stage: "resolve" | "apply",
    err: unknown,
    userId?: string,
    ops?: OutcomeOperation[],
  ) => {
    if (!(err instanceof RetriesExhausted)) throw err;
    const outcome = await afterRetries(ev, userId, stage, err, policy, deps, inv, ops);
    // Handed back or dead-lettered, the change keeps no claim: a redelivery or a redrive must be able to run it.
    await store.release(ev.idempotencyKey, ev.payloadHash);
    return outcome;
  };
  try {
    let userId = knownUserId;
    if (userId === undefined) {
      // Looked up again under the lease: an earlier event of this invocation or another instance may have created
      // it. Only a clear "not found" leads to CreateUser; a failed lookup never does.
      try {
        userId = await deps.resolver.resolve(ev.change.user, inv.deadlineMs);
      } catch (err) {
        if (!(err instanceof UserResolutionError)) {
          await store.release(ev.idempotencyKey, ev.payloadHash);
          return handedBack(
            ev,
            undefined,
            "LookupFailed",
            "the user could not be looked up again before creating it",
          );
        }
        if (err.code !== "UserNotFound") {
          await store.release(ev.idempotencyKey, ev.payloadHash);
          const error = { stage: "resolve" as const, code: err.code, message: err.message, retryable: false };
          return deadLetterEvent(ev, undefined, error, 0, deps, inv);
        }
      }
    }
    let lifecycle: ResolvedLifecycle;
    try {
      lifecycle = await resolveLifecycle(ev.change.lifecycle, deps, inv, options?.lookupCacheMs);
    } catch (err) {
      return await giveUp("resolve", err, userId);
    }
    const units = unitsOf(ev.change, lifecycle);
    const stored =
      userId === undefined
        ? {}
        : await store.readFields(
            userId,
            units.map((u) => u.name),
          );
    const plan = planChange(ev.change, stored, units);
    let ops: Operation[];
    if (userId !== undefined) {
      ops = operationsForUser(deps.eiam.instanceId, userId, plan, lifecycle);
    } else {
      const created = newUserSpec(ev, lifecycle, deps.eiam.instanceId, options);
      if ("error" in created) {
        await store.release(ev.idempotencyKey, ev.payloadHash);
        return deadLetterEvent(ev, undefined, created.error, 0, deps, inv);
      }
      ops = operationsForNewUser(ev.change, lifecycle, created);
    }

    if (ops.length === 0 && userId !== undefined) {
      const status = plan.unchanged.length === 0 && plan.stale.length > 0 ? "stale" : "noop";
      await store.writeFields(userId, plan.versions, deps.recordTtlSeconds);
      await store.complete(
        ev.idempotencyKey,
        ev.payloadHash,
        { status, at: deps.now() },
        deps.recordTtlSeconds,
      );
      return { ...outcomeBase(ev), status, userId, fields: plan.unchanged, staleFields: plan.stale };
    }

    const done = await store.readOperations(ev.idempotencyKey, ev.payloadHash);
    const report: OutcomeOperation[] = ops.map((op) => ({ action: op.action, id: op.id, status: "pending" }));
    const rejected: string[] = [];
    let eiamRequestId: string | undefined;
    let attempts = 0;
    let failure: unknown;
    const completesEvent = (i: number) => i === ops.length - 1 && failure === undefined;
    for (const [i, op] of ops.entries()) {
      // After a failure only a leaver's DisableUser/DeleteUser still runs: it is never held back by another change.
      if (failure !== undefined && op.action !== "DisableUser" && op.action !== "DeleteUser") continue;
      let result = done[op.id];
      if (result === undefined) {
        if (userId !== undefined && op.units.length > 0) {
          // Before EIAM is called, the fields' versions are recorded with their value unknown: should the store
          // become unreachable once EIAM applied the change, an older change of these fields is still seen as
          // older (and no later one is skipped as equal). When even this write fails, EIAM is not called.
          await store.writeFields(userId, uncertain(plan.versions, op.units), deps.recordTtlSeconds);
        }
        try {
          const sent = await runOperation(op, deps, inv);
          attempts += sent.attempts;
          result = sent.value.userId ?? sent.value.requestId;
          eiamRequestId = sent.value.requestId;
        } catch (err) {
          if (!(err instanceof RetriesExhausted)) throw err;
          report[i]!.status = "failed";
          attempts += err.attempts;
          // The fields stay recorded at this change's version with their value unknown: EIAM may have applied it
          // without our hearing of it (a timeout), and a refused change is redriven from its dead letter, not
          // overtaken by an older one.
          failure ??= err;
          continue;
        }
        // Recorded so that a crash or a redrive does not send this one again. The operation that completes the
        // event needs no record (the completion follows at once), except CreateUser, whose result is the user's id.
        if (!completesEvent(i) || op.action === "CreateUser") {
          await store.recordOperation(
            ev.idempotencyKey,
            ev.payloadHash,
            op.id,
            result,
            deps.recordTtlSeconds,
          );
        }
      }
      if (op.action === "CreateUser") userId = result;
      report[i]!.status = "applied";
      // The values it applied are known now; for the operation that completes the event, the write of every
      // version below does it.
      if (userId !== undefined && !completesEvent(i)) {
        rejected.push(
          ...(await store.writeFields(userId, pick(plan.versions, op.units), deps.recordTtlSeconds)),
        );
      }
    }
    if (failure !== undefined)
      return await giveUp("apply", failure, userId, ops.length > 1 ? report : undefined);
    if (userId !== undefined) {
      rejected.push(...(await store.writeFields(userId, plan.versions, deps.recordTtlSeconds)));
    }
    await store.complete(
      ev.idempotencyKey,
      ev.payloadHash,
      { status: "applied", at: deps.now(), ...(eiamRequestId !== undefined ? { eiamRequestId } : {}) },
      deps.recordTtlSeconds,
    );
    const staleFields = [...new Set([...plan.stale, ...rejected])];
    return {
      ...outcomeBase(ev),
      status: "applied",
      ...(userId !== undefined ? { userId } : {}),
      ...(eiamRequestId !== undefined ? { eiamRequestId } : {}),
      fields: plan.written,
      attempts,
      ...(ops.length > 1 || ops[0]?.action !== "UpdateUser" ? { operations: report } : {}),
      ...(staleFields.length > 0 ? { staleFields } : {}),
    };
  } finally {
    await store.releaseUserLease(lease, owner).catch(() => undefined);
  }
}

function pick(
  versions: Record<string, FieldVersion>,
  names: readonly string[],
): Record<string, FieldVersion> {
  return Object.fromEntries(names.filter((n) => versions[n] !== undefined).map((n) => [n, versions[n]!]));
}

/** The versions of the units just sent, with their value marked unknown (it matches no value's hash). */
function uncertain(
  versions: Record<string, FieldVersion>,
  sent: readonly string[],
): Record<string, FieldVersion> {
  return Object.fromEntries(
    sent
      .filter((name) => versions[name] !== undefined)
      .map((name) => [name, { version: versions[name]!.version, valueHash: "unknown" }]),
  );
}

async function acquireUserLease(
  lease: string,
  owner: string,
  deps: PipelineDeps,
  inv: Invocation,
): Promise<boolean> {
  for (;;) {
    if (await deps.store.acquireUserLease(lease, owner, inv.timeoutAtMs, deps.now())) return true;
    if (deps.now() + USER_LEASE_POLL_MS >= inv.deadlineMs) return false;
    await new Promise((r) => setTimeout(r, USER_LEASE_POLL_MS));
  }
}
