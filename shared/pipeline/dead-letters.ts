import type { DeadLetterPublisher } from "../dead-letter/publisher.ts";
import type { DeadLetterError, DeadLetterOperation, DeadLetterRecord } from "../dead-letter/record.ts";
import type { Delivery } from "../triggers/delivery.ts";
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

function originalOf(delivery: Delivery): Pick<DeadLetterRecord["delivery"], "encoding" | "original"> {
  if (Buffer.isBuffer(delivery.original))
    return { encoding: "base64", original: delivery.original.toString("base64") };
  return { encoding: "json", original: delivery.original };
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
    ...(input.operations !== undefined ? { operations: input.operations } : {}),
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
