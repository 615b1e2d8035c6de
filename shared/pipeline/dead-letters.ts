/**
 * The one path that dead-letters an event: recognise an event dead-lettered before, otherwise publish its record
 * and remember that it was published, so that a redelivery is answered as a duplicate of that record.
 */
import { cap, MAX_ID_LENGTH, MAX_TEXT_LENGTH } from "../cap.ts";
import type { DeadLetterError, DeadLetterOperation, DeadLetterRecord } from "../dead-letter/record.ts";
import { type ClaimResult, IdempotencyStoreFullError } from "../idempotency/store.ts";
import type { Delivery } from "../triggers/delivery.ts";
import { keptHeaders } from "../triggers/kept-headers.ts";
import { earlierDeadLetter, type Identity, rememberDeadLetter } from "./dead-letter-memory.ts";
import type { PipelineDeps } from "./deps.ts";
import type { Invocation } from "./invocation.ts";

export interface DeadLetterInput {
  delivery: Delivery;
  error: DeadLetterError;
  eventId?: string;
  source?: string;
  idempotencyKey?: string;
  userKey?: unknown;
  userId?: string;
  change?: unknown;
  operations?: DeadLetterOperation[];
  attempts: number;
}

/** An HTTP event keeps only the allow-listed headers: never Authorization, Cookie, signatures or tokens. */
function withoutCredentials(delivery: Delivery): unknown {
  const original = delivery.original;
  if (delivery.trigger !== "http" || typeof original !== "object" || original === null) return original;
  const headers = (original as { headers?: unknown }).headers;
  if (typeof headers !== "object" || headers === null) return original;
  return { ...original, headers: keptHeaders(headers as Record<string, unknown>) };
}

function originalOf(delivery: Delivery): Pick<DeadLetterRecord["delivery"], "encoding" | "original"> {
  if (Buffer.isBuffer(delivery.original))
    return { encoding: "base64", original: delivery.original.toString("base64") };
  return { encoding: "json", original: withoutCredentials(delivery) };
}

export function buildDeadLetterRecord(
  input: DeadLetterInput,
  invocation: Invocation,
  now: number,
): DeadLetterRecord {
  const { delivery } = input;
  return {
    kind: "eiam-user-sync.dead-letter",
    version: 1,
    delivery: {
      trigger: delivery.trigger,
      deliveryId: delivery.deliveryId,
      receivedAt: new Date(delivery.receivedAt).toISOString(),
      ...originalOf(delivery),
    },
    eventId: input.eventId === undefined ? undefined : cap(input.eventId, MAX_ID_LENGTH),
    source: input.source === undefined ? undefined : cap(input.source, MAX_ID_LENGTH),
    idempotencyKey: input.idempotencyKey,
    userKey: input.userKey,
    userId: input.userId,
    change: input.change,
    error: cappedError(input.error),
    ...(input.operations !== undefined ? { operations: input.operations } : {}),
    attempts: input.attempts,
    firstSeenAt: new Date(delivery.receivedAt).toISOString(),
    failedAt: new Date(now).toISOString(),
    functionName: invocation.functionName,
    fcRequestId: invocation.fcRequestId,
  };
}

/** Problems beyond this many are summed up in one. */
const MAX_PROBLEMS = 50;

function cappedError(error: DeadLetterError): DeadLetterError {
  const problems = error.problems?.slice(0, MAX_PROBLEMS).map((p) => ({
    path: cap(p.path, MAX_TEXT_LENGTH),
    code: p.code,
    message: cap(p.message, MAX_TEXT_LENGTH),
  }));
  if (problems && error.problems && error.problems.length > MAX_PROBLEMS) {
    const more = error.problems.length - MAX_PROBLEMS;
    problems.push({ path: "", code: "more_problems", message: `${more} more problem(s) not listed` });
  }
  return { ...error, message: cap(error.message, MAX_TEXT_LENGTH), ...(problems ? { problems } : {}) };
}

export type DeadLetterResult =
  | { kind: "published"; deadLetterId: string }
  | { kind: "duplicate"; deadLetterId: string }
  /** Another invocation is dead-lettering the same event right now: hand this delivery back. */
  | { kind: "busy" };

/** The error of a delivery handed back because another invocation is dead-lettering the same event. */
export const DEAD_LETTER_BUSY = {
  stage: "apply",
  code: "DeadLetterInProgress",
  message:
    "another invocation is dead-lettering this event now; delivered again, it is answered as a duplicate",
  retryable: true,
} as const;

/** How long a second invocation waits for another one that is dead-lettering the same event. */
const BUSY_WAIT_MS = 2_000;
const BUSY_POLL_MS = 50;

/**
 * Dead-letters the event known by `identity`, once: when it was dead-lettered before (and the caller recalls dead
 * letters), the earlier record's id comes back as a duplicate and nothing is published. Two invocations that get
 * the same event at once do not both publish: the first claims the dead letter in the idempotency store, the
 * second waits for its record (or is handed back). A publish failure propagates, so that the invocation fails
 * and the platform delivers again.
 */
export async function deadLetterOnce(
  identity: Identity,
  input: DeadLetterInput,
  deps: PipelineDeps,
  inv: Invocation,
): Promise<DeadLetterResult> {
  const earlier = await earlierDeadLetter(deps, identity);
  if (earlier !== undefined) return { kind: "duplicate", deadLetterId: earlier };
  // A redrive exists to run a dead-lettered event again: it neither recalls nor claims.
  if (!deps.recallDeadLetters)
    return { kind: "published", deadLetterId: await publish(identity, input, deps, inv) };

  const claimKey = `dead-letter:${identity.key}`;
  let claim: ClaimResult;
  try {
    claim = await deps.store.claim(claimKey, identity.hash, inv.timeoutAtMs, deps.now());
  } catch (err) {
    if (!(err instanceof IdempotencyStoreFullError)) throw err;
    claim = { kind: "conflict" }; // no room to claim: publish without it (at worst a second record, never none)
  }
  if (claim.kind === "completed" && claim.outcome.deadLetterId !== undefined) {
    return { kind: "duplicate", deadLetterId: claim.outcome.deadLetterId };
  }
  if (claim.kind === "in_progress") {
    const until = Math.min(inv.deadlineMs, deps.now() + BUSY_WAIT_MS);
    while (deps.now() + BUSY_POLL_MS < until) {
      await new Promise((r) => setTimeout(r, BUSY_POLL_MS));
      const theirs = await earlierDeadLetter(deps, identity);
      if (theirs !== undefined) return { kind: "duplicate", deadLetterId: theirs };
    }
    return { kind: "busy" };
  }
  const owned = claim.kind === "claimed";
  let deadLetterId: string;
  try {
    deadLetterId = await publish(identity, input, deps, inv);
  } catch (err) {
    if (owned) await deps.store.release(claimKey, identity.hash).catch(() => undefined);
    throw err;
  }
  if (owned) {
    const outcome = { status: "dead_lettered" as const, at: deps.now(), deadLetterId };
    await deps.store.complete(claimKey, identity.hash, outcome, deps.recordTtlSeconds);
  }
  return { kind: "published", deadLetterId };
}

/** Publishes the record and remembers its id under the event's identity. */
async function publish(
  identity: Identity,
  input: DeadLetterInput,
  deps: PipelineDeps,
  inv: Invocation,
): Promise<string> {
  const { messageId } = await deps.deadLetters.publish(buildDeadLetterRecord(input, inv, deps.now()));
  try {
    await rememberDeadLetter(deps, identity, messageId);
  } catch (err) {
    if (!(err instanceof IdempotencyStoreFullError)) throw err;
    // Published, so nothing is lost; a redelivery may publish a second record for the same event.
    deps.logger.error("dead letter published but not remembered: the idempotency store is full", {
      deadLetterId: messageId,
      maxEntries: err.maxEntries,
    });
  }
  return messageId;
}
