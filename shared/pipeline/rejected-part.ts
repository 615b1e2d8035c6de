/**
 * The part of a leaver's event that broke a rule (leaver-first.ts) is dead-lettered on its own once the rest has
 * an outcome, and the outcome says so. A redelivery finds the remembered dead letter instead of publishing again.
 */
import { idempotencyKey, payloadHash } from "../idempotency/keys.ts";
import { DEAD_LETTER_BUSY, deadLetterOnce } from "./dead-letters.ts";
import type { PipelineDeps } from "./deps.ts";
import type { Invocation } from "./invocation.ts";
import type { EventOutcome, OutcomeError } from "./outcome.ts";
import type { ReadyEvent } from "./prepare.ts";

export async function withRejectedPart(
  ev: ReadyEvent,
  outcome: EventOutcome,
  deps: PipelineDeps,
  inv: Invocation,
): Promise<EventOutcome> {
  // A deferred event comes back whole; it is split again then.
  if (ev.rejected === undefined || outcome.status === "deferred") return outcome;
  const { problems, candidate } = ev.rejected;
  const identity = {
    key: `${idempotencyKey(ev.change.source, ev.change.eventId)}#rejected`,
    hash: payloadHash(candidate ?? null),
  };
  const error: OutcomeError = {
    stage: "validate",
    code: "InvalidEvent",
    message: `${problems.map((p) => `${p.path}: ${p.message}`).join("; ")} (the user's status change was applied without these fields)`,
    retryable: false,
    problems,
  };
  const result = await deadLetterOnce(
    identity,
    {
      delivery: ev.delivery,
      error,
      eventId: ev.change.eventId,
      source: ev.change.source,
      userKey: ev.change.user,
      ...(outcome.userId !== undefined ? { userId: outcome.userId } : {}),
      attempts: 0,
    },
    deps,
    inv,
  );
  // Another invocation is dead-lettering the rejected part right now: delivered again, this event is a
  // duplicate whose rejected part is found.
  if (result.kind === "busy") return { ...outcome, status: "deferred", error: DEAD_LETTER_BUSY };
  return { ...outcome, rejected: { deadLetterId: result.deadLetterId, problems } };
}
