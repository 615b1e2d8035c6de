/**
 * Which door did this invocation come through? The FC 3.0 handler gets `event` as a Buffer; this decides,
 * by explicit shape checks in a fixed order, and hands back one `Delivery` per message.
 */
import { decodeBase64JsonIfAllowed } from "./body-encoding.ts";
import { type DecodedInvocation, type DecodeOptions, UnknownEventShapeError } from "./delivery.ts";
import { describeJson, describeNonJson } from "./describe-shape.ts";
import { directDeliveries, isDirectShape } from "./direct.ts";
import { type CloudEvent, cloudEventBatch, cloudEventDelivery, isCloudEvent } from "./eventbridge.ts";
import { httpDelivery, isHttpTriggerEvent } from "./http.ts";
import {
  isMnsStreamWithAttributes,
  isMnsTopicNotification,
  mnsStreamDelivery,
  mnsTopicNotificationDelivery,
} from "./mns-topic.ts";

export type { DecodedInvocation, DecodeOptions, Delivery, TriggerKind } from "./delivery.ts";
export { UnknownEventShapeError };

type Parsed = { ok: true; value: unknown } | { ok: false };

/** Far beyond any real trigger event (an EventBridge batch of canonical events nests about 8 deep). */
export const MAX_INVOCATION_DEPTH = 64;

/** Whether a parsed JSON value nests deeper than `limit`, without recursion (the input may be hostile). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}

function parseJson(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The older Kafka form: an array of JSON strings, each a stringified CloudEvent. */
function parseStringifiedCloudEvents(items: unknown[]): CloudEvent[] | undefined {
  const events: CloudEvent[] = [];
  for (const item of items) {
    if (typeof item !== "string") return undefined;
    const parsed = parseJson(item);
    if (!parsed.ok || !isCloudEvent(parsed.value)) return undefined;
    events.push(parsed.value);
  }
  return events;
}

/**
 * Decide the trigger shape and split the invocation into deliveries. Order of checks: HTTP trigger event,
 * CloudEvent(s), MNS topic JSON notification, MNS topic STREAM `{body, attrs}`, direct. Throws
 * `UnknownEventShapeError` for anything else, naming what was seen but never quoting the payload.
 */
export function decodeInvocation(
  event: Buffer,
  receivedAt: number,
  options: DecodeOptions = {},
): DecodedInvocation {
  const mnsEncoding = options.mnsBodyEncoding ?? "auto";
  const text = event.toString("utf8").replace(/^\uFEFF/, "");
  const parsed = parseJson(text);
  if (!parsed.ok) {
    // STREAM format without attributes carries the raw message body, which MNS publishers often Base64-encode.
    const decoded = decodeBase64JsonIfAllowed(text, mnsEncoding);
    const inner = decoded === undefined ? undefined : parseJson(decoded.toString("utf8"));
    if (
      decoded !== undefined &&
      inner?.ok &&
      !nestedDeeperThan(inner.value, MAX_INVOCATION_DEPTH) &&
      isDirectShape(inner.value, options.acceptAnyJsonAsDirect ?? false)
    ) {
      return { kind: "batch", deliveries: directDeliveries(inner.value, decoded, receivedAt) };
    }
    throw new UnknownEventShapeError(describeNonJson(text));
  }
  const value = parsed.value;
  // Later stages re-serialize parts of it (and the dead-letter record keeps it): refuse absurd nesting here,
  // where the raw bytes can still be dead-lettered as they came.
  if (nestedDeeperThan(value, MAX_INVOCATION_DEPTH)) {
    throw new UnknownEventShapeError(`a JSON value nested deeper than ${MAX_INVOCATION_DEPTH} levels`);
  }

  if (isHttpTriggerEvent(value)) return { kind: "http", delivery: httpDelivery(value, receivedAt) };
  if (isCloudEvent(value))
    return { kind: "batch", deliveries: [cloudEventDelivery(value, receivedAt, options)] };
  if (Array.isArray(value) && value.length > 0) {
    const events = value.some(isCloudEvent) ? value : parseStringifiedCloudEvents(value);
    if (events !== undefined) {
      const { deliveries, undecodable } = cloudEventBatch(events, receivedAt, options);
      return { kind: "batch", deliveries, ...(undecodable.length > 0 ? { undecodable } : {}) };
    }
  }
  if (isMnsTopicNotification(value)) {
    return { kind: "batch", deliveries: [mnsTopicNotificationDelivery(value, receivedAt, mnsEncoding)] };
  }
  if (isMnsStreamWithAttributes(value)) {
    return { kind: "batch", deliveries: [mnsStreamDelivery(value, receivedAt, mnsEncoding)] };
  }
  if (isDirectShape(value, options.acceptAnyJsonAsDirect ?? false)) {
    return { kind: "batch", deliveries: directDeliveries(value, event, receivedAt) };
  }
  throw new UnknownEventShapeError(describeJson(value));
}
