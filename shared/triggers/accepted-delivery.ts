/**
 * A delivery accepted on an `ack: enqueue` route, as the message the door puts on the source queue. The queue
 * trigger brings it back as an ordinary MNS-queue CloudEvent; `mnsQueueDelivery` unwraps it into the delivery
 * the HTTP path would have processed: same id, receive time, route traits (format, source), path, the
 * allow-listed headers and the (decrypted) body. Never a secret: credentials were checked at the door.
 */
import * as z from "zod";
import type { Delivery } from "./delivery.ts";
import { keptHeaders } from "./kept-headers.ts";

export const ACCEPTED_DELIVERY_KIND = "eiam-user-sync.accepted-delivery";

const AcceptedDelivery = z.object({
  kind: z.literal(ACCEPTED_DELIVERY_KIND),
  version: z.literal(1),
  deliveryId: z.string().min(1).max(512),
  receivedAt: z.iso.datetime(),
  route: z.object({
    path: z.string().max(200),
    format: z.enum(["canonical", "cloudevents", "scim", "mapped"]).optional(),
    mappingName: z.string().max(65).optional(),
    source: z.string().max(64).optional(),
    receiptTimeWhenNoTime: z.boolean().optional(),
  }),
  http: z.object({ method: z.string().max(16), path: z.string().max(2048) }),
  headers: z.record(z.string(), z.string()),
  /** Base64 of the body bytes. */
  body: z.base64(),
});

export function encodeAcceptedDelivery(delivery: Delivery): string {
  return JSON.stringify({
    kind: ACCEPTED_DELIVERY_KIND,
    version: 1,
    deliveryId: delivery.deliveryId,
    receivedAt: new Date(delivery.receivedAt).toISOString(),
    route: delivery.route ?? { path: delivery.http?.path ?? "/" },
    http: { method: delivery.http?.method ?? "POST", path: delivery.http?.path ?? "/" },
    headers: keptHeaders(delivery.headers),
    body: delivery.body.toString("base64"),
  });
}

/** `undefined` when the body is not an accepted delivery; throws when it claims to be one but is broken. */
export function decodeAcceptedDelivery(body: Buffer): Omit<Delivery, "trigger" | "original"> | undefined {
  if (!body.includes(ACCEPTED_DELIVERY_KIND)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
  if ((value as { kind?: unknown } | null)?.kind !== ACCEPTED_DELIVERY_KIND) return undefined;
  const parsed = AcceptedDelivery.safeParse(value);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join(".") ?? "";
    throw new Error(`an accepted-delivery message whose ${where || "content"} is not valid`);
  }
  const m = parsed.data;
  return {
    deliveryId: m.deliveryId,
    receivedAt: Date.parse(m.receivedAt),
    body: Buffer.from(m.body, "base64"),
    headers: m.headers,
    http: { method: m.http.method, path: m.http.path, query: {} },
    route: m.route,
  };
}
