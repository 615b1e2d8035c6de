/**
 * A dead-lettered event that is delivered again (the platform's at-least-once, a producer's resend) is answered
 * as a duplicate of its dead letter instead of being dead-lettered (and for EIAM's refusals, sent) again.
 */
import { createHash } from "node:crypto";
import { idempotencyKey, payloadHash } from "../idempotency/keys.ts";
import type { PipelineDeps } from "./deps.ts";
import type { InvalidInput } from "./prepare.ts";

export interface Identity {
  key: string;
  hash: string;
}

/**
 * An invalid event is recognised by its id and its whole content (so another event that reuses the id is
 * dead-lettered in its own right); a payload that could not be read, by its delivery id and bytes (so only a
 * redelivery of that same message matches, not another message that happens to be equal).
 */
export function identityOfInvalid(item: InvalidInput): Identity {
  if (item.eventId && item.candidate !== undefined) {
    try {
      // Keyed by content as well: two invalid events that share an id are two dead letters, each remembered.
      const hash = payloadHash(item.candidate);
      return { key: `${idempotencyKey(item.source || undefined, item.eventId)}#${hash.slice(0, 16)}`, hash };
    } catch {
      // an id the store refuses, or content JSON cannot hold: fall back to the bytes
    }
  }
  return identityOfBytes(item.delivery.deliveryId, item.delivery.body);
}

export function identityOfBytes(deliveryId: string, bytes: Buffer): Identity {
  const hash = createHash("sha256").update(bytes).digest("hex");
  return { key: `delivery:${deliveryId}`, hash };
}

export async function earlierDeadLetter(deps: PipelineDeps, id: Identity): Promise<string | undefined> {
  return deps.recallDeadLetters ? deps.store.recallDeadLetter(id.key, id.hash) : undefined;
}

export async function rememberDeadLetter(
  deps: PipelineDeps,
  id: Identity,
  deadLetterId: string,
): Promise<void> {
  await deps.store.rememberDeadLetter(id.key, id.hash, deadLetterId, deps.recordTtlSeconds);
}
