/**
 * Direct invocation (`s invoke`, the FC API, another function) and, indistinguishably, the MNS topic STREAM
 * format without attributes: the invocation payload is the message itself.
 */
import { sha256Id } from "./body-encoding.ts";
import type { Delivery } from "./delivery.ts";
import { isRecord } from "./headers.ts";

/** Has `id` and `changes` or `user`: the canonical event v1 (validated later, not here). */
export function looksCanonical(value: unknown): boolean {
  return isRecord(value) && "id" in value && ("changes" in value || "user" in value);
}

/** A SCIM 2.0 message: a `schemas` array naming a SCIM URN. */
export function looksScim(value: unknown): boolean {
  return (
    isRecord(value) &&
    Array.isArray(value.schemas) &&
    value.schemas.some((schema) => typeof schema === "string" && schema.startsWith("urn:ietf:params:scim:"))
  );
}

function looksDirectObject(value: unknown, acceptAnyObject: boolean): boolean {
  return looksCanonical(value) || looksScim(value) || (acceptAnyObject && isRecord(value));
}

/** A direct-looking object, or a non-empty array of them. */
export function isDirectShape(value: unknown, acceptAnyObject: boolean): boolean {
  if (Array.isArray(value))
    return value.length > 0 && value.every((item) => looksDirectObject(item, acceptAnyObject));
  return looksDirectObject(value, acceptAnyObject);
}

function directDelivery(value: unknown, body: Buffer, receivedAt: number): Delivery {
  // Only a canonical event's `id` names the event; a SCIM resource's `id` names the user, so it would collide.
  const ownId =
    looksCanonical(value) && isRecord(value) && typeof value.id === "string" && value.id !== ""
      ? value.id
      : undefined;
  return {
    trigger: "direct",
    deliveryId: ownId ?? sha256Id(body),
    receivedAt,
    body,
    headers: {},
    original: value,
  };
}

/**
 * A single object keeps the invocation bytes as its body; an array becomes one delivery per element, each
 * element re-serialized as its body. deliveryId: a canonical event's own string `id`, else a sha256 of the body.
 */
export function directDeliveries(value: unknown, payload: Buffer, receivedAt: number): Delivery[] {
  if (!Array.isArray(value)) return [directDelivery(value, payload, receivedAt)];
  return value.map((item) => directDelivery(item, Buffer.from(JSON.stringify(item), "utf8"), receivedAt));
}
