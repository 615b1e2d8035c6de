/** The outcomes of one ready event that more than one stage produces: handed back, or dead-lettered. */
import type { EiamError } from "../eiam/errors.ts";
import type { RetriesExhausted } from "../eiam/retry.ts";
import { DEAD_LETTER_BUSY, deadLetterOnce } from "./dead-letters.ts";
import type { PipelineDeps } from "./deps.ts";
import type { Invocation } from "./invocation.ts";
import type { EventOutcome, FailurePolicy, OutcomeError, OutcomeOperation } from "./outcome.ts";
import type { ReadyEvent } from "./prepare.ts";

export function outcomeBase(ev: ReadyEvent): Pick<EventOutcome, "deliveryId" | "eventId" | "ignored"> {
  return {
    deliveryId: ev.delivery.deliveryId,
    eventId: ev.change.eventId,
    ...(ev.ignored.length > 0 ? { ignored: ev.ignored } : {}),
  };
}

export function errorOf(stage: OutcomeError["stage"], e: EiamError): OutcomeError {
  return {
    stage,
    code: e.code,
    message: e.message,
    retryable: e.retryable,
    ...(e.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
    ...(e.requestId !== undefined ? { eiamRequestId: e.requestId } : {}),
  };
}

/** Not done now, to be delivered again by the platform or the sender. */
export function handedBack(
  ev: ReadyEvent,
  userId: string | undefined,
  code: string,
  message: string,
): EventOutcome {
  return {
    ...outcomeBase(ev),
    status: "deferred",
    ...(userId !== undefined ? { userId } : {}),
    error: { stage: "apply", code, message, retryable: true },
  };
}

export async function deadLetterEvent(
  ev: ReadyEvent,
  userId: string | undefined,
  error: OutcomeError,
  attempts: number,
  deps: PipelineDeps,
  inv: Invocation,
  operations?: OutcomeOperation[],
): Promise<EventOutcome> {
  const result = await deadLetterOnce(
    { key: ev.idempotencyKey, hash: ev.payloadHash },
    {
      delivery: ev.delivery,
      error,
      eventId: ev.change.eventId,
      source: ev.change.source,
      idempotencyKey: ev.idempotencyKey,
      userKey: ev.change.user,
      userId,
      change: ev.change,
      ...(operations !== undefined ? { operations } : {}),
      attempts,
    },
    deps,
    inv,
  );
  if (result.kind === "busy") {
    return {
      ...outcomeBase(ev),
      status: "deferred",
      ...(userId !== undefined ? { userId } : {}),
      error: DEAD_LETTER_BUSY,
    };
  }
  const { deadLetterId } = result;
  if (result.kind === "duplicate") {
    return {
      ...outcomeBase(ev),
      status: "duplicate",
      ...(userId !== undefined ? { userId } : {}),
      deadLetterId,
    };
  }
  return {
    ...outcomeBase(ev),
    status: "dead_lettered",
    ...(userId !== undefined ? { userId } : {}),
    deadLetterId,
    attempts,
    error,
    ...(operations !== undefined ? { operations } : {}),
  };
}

/**
 * An EIAM call that gave up: handed back when time ran out or when the sender retries by itself (webhooks),
 * otherwise dead-lettered (permanent errors, and retryable ones that failed every attempt).
 */
export async function afterRetries(
  ev: ReadyEvent,
  userId: string | undefined,
  stage: "resolve" | "apply",
  err: RetriesExhausted,
  policy: FailurePolicy,
  deps: PipelineDeps,
  inv: Invocation,
  operations?: OutcomeOperation[],
): Promise<EventOutcome> {
  const error = errorOf(stage, err.last);
  const handBack =
    err.reason === "deadline" || (err.reason === "attempts" && policy.retryableExhausted === "defer");
  if (err.last.retryable && handBack) {
    return {
      ...outcomeBase(ev),
      status: "deferred",
      ...(userId !== undefined ? { userId } : {}),
      attempts: err.attempts,
      error,
      ...(operations !== undefined ? { operations } : {}),
    };
  }
  return deadLetterEvent(ev, userId, error, err.attempts, deps, inv, operations);
}
