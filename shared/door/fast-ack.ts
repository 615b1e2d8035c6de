/**
 * Fast acknowledgement on `ack: enqueue` routes: once the delivery is authenticated, decoded and valid, it is
 * put on the source queue and answered 202 with its delivery id, before EIAM is called; the queue trigger then
 * applies it with every guarantee (same delivery id and route traits, so the same idempotency keys). A queue
 * that refuses it gets the sender a 503 with Retry-After, so the sender retries. Deliveries with a problem, or
 * too large for one MNS message, are processed at once as on a `sync` route (so bad input still gets its 400).
 */
import {
  errorResponse,
  type HttpResponse,
  jsonResponse,
  RETRY_AFTER_SECONDS,
} from "../handler/http-response.ts";
import type { Logger } from "../log.ts";
import { type PrepareOptions, prepareDelivery } from "../pipeline/prepare.ts";
import { decodeAcceptedDelivery, encodeAcceptedDelivery } from "../triggers/accepted-delivery.ts";
import type { Delivery } from "../triggers/delivery.ts";
import { MNS_MAX_MESSAGE_BYTES, type SourceQueue } from "./source-queue.ts";

/** Room for the XML escaping and the request around the body. */
const MESSAGE_BUDGET_BYTES = MNS_MAX_MESSAGE_BYTES - 4096;

export type FastAck = { kind: "answered"; response: HttpResponse } | { kind: "process-now"; why: string };

/** Only what the queue path will read back (e.g. not a path longer than the message allows) is queued. */
function readsBack(message: string): boolean {
  try {
    return decodeAcceptedDelivery(Buffer.from(message)) !== undefined;
  } catch {
    return false;
  }
}

export async function acknowledgeFast(
  delivery: Delivery,
  prepare: PrepareOptions,
  queue: SourceQueue,
  logger: Logger,
  fcRequestId: string,
): Promise<FastAck> {
  const prepared = prepareDelivery(delivery, prepare);
  if (prepared.length === 0) return { kind: "process-now", why: "nothing to apply" };
  if (prepared.some((item) => item.kind === "invalid")) return { kind: "process-now", why: "invalid input" };
  const message = encodeAcceptedDelivery(delivery);
  if (!readsBack(message)) return { kind: "process-now", why: "the queue path could not read it back" };
  if (Buffer.byteLength(message) > MESSAGE_BUDGET_BYTES) {
    logger.warn("delivery too large for the source queue: processed now", {
      fcRequestId,
      bytes: message.length,
    });
    return { kind: "process-now", why: "too large for one MNS message" };
  }
  try {
    const messageId = await queue.send(message);
    logger.info("delivery enqueued", {
      fcRequestId,
      deliveryId: delivery.deliveryId,
      queue: queue.queue,
      messageId,
      events: prepared.length,
    });
    return {
      kind: "answered",
      response: jsonResponse(202, {
        status: "accepted",
        deliveryId: delivery.deliveryId,
        events: prepared.length,
      }),
    };
  } catch (err) {
    logger.warn("the source queue refused the delivery: answered 503", {
      fcRequestId,
      deliveryId: delivery.deliveryId,
      queue: queue.queue,
      error: String((err as Error)?.message ?? err).slice(0, 200),
    });
    return {
      kind: "answered",
      response: errorResponse(503, "queue_unavailable", "the delivery could not be queued; retry later", {
        "retry-after": String(RETRY_AFTER_SECONDS),
      }),
    };
  }
}
