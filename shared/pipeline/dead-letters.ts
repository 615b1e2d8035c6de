import type { DeadLetterPublisher } from "../dead-letter/publisher.ts";
import type { DeadLetterError, DeadLetterRecord } from "../dead-letter/record.ts";
import type { Delivery } from "../triggers/delivery.ts";
import { keptHeaders } from "../triggers/kept-headers.ts";
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
    eventId: input.eventId,
    source: input.source,
    idempotencyKey: input.idempotencyKey,
    userKey: input.userKey,
    userId: input.userId,
    change: input.change,
    error: input.error,
    attempts: input.attempts,
    firstSeenAt: new Date(delivery.receivedAt).toISOString(),
    failedAt: new Date(now).toISOString(),
    functionName: invocation.functionName,
    fcRequestId: invocation.fcRequestId,
  };
}

/** Publishes; a failure propagates so that the invocation errors and the platform delivers again. */
export async function deadLetter(
  publisher: DeadLetterPublisher,
  input: DeadLetterInput,
  invocation: Invocation,
  now: number,
): Promise<string> {
  const { messageId } = await publisher.publish(buildDeadLetterRecord(input, invocation, now));
  return messageId;
}
