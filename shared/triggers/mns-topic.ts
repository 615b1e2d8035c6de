/**
 * Native MNS topic trigger (`mns_topic`). JSON format: a notification object whose message attributes are
 * merged in at top level. STREAM format: `{ body, attrs }` when the message has attributes, otherwise the raw
 * message body itself, which cannot be told apart from a direct invocation (detect.ts treats it as direct).
 */
import { BodyEncodingMismatch, decodeBodyString, sha256Id } from "./body-encoding.ts";
import { type BodyEncoding, type Delivery, UnknownEventShapeError } from "./delivery.ts";
import { isRecord, toHeaders } from "./headers.ts";

/** The notification's own fields; every other top-level key is a message attribute. */
const NOTIFICATION_FIELDS = new Set([
  "TopicOwner",
  "TopicName",
  "Subscriber",
  "SubscriptionName",
  "MessageId",
  "MessageMD5",
  "Message",
  "PublishTime",
]);

export function isMnsTopicNotification(value: unknown): value is Record<string, unknown> {
  return (
    isRecord(value) &&
    typeof value.TopicOwner === "string" &&
    typeof value.TopicName === "string" &&
    typeof value.MessageId === "string" &&
    typeof value.Message === "string"
  );
}

/** STREAM format with attributes: exactly the keys `body` (string) and `attrs` (object). */
export function isMnsStreamWithAttributes(
  value: unknown,
): value is { body: string; attrs: Record<string, unknown> } {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 2 && typeof value.body === "string" && isRecord(value.attrs);
}

function decodeMessage(text: string, field: string, encoding: BodyEncoding): Buffer {
  try {
    return decodeBodyString(text, encoding);
  } catch (error) {
    if (!(error instanceof BodyEncodingMismatch)) throw error;
    throw new UnknownEventShapeError(
      `an MNS topic notification whose ${field} ${error.message} (mnsBodyEncoding is base64)`,
    );
  }
}

export function mnsTopicNotificationDelivery(
  notification: Record<string, unknown>,
  receivedAt: number,
  encoding: BodyEncoding,
): Delivery {
  const attributes = Object.entries(notification).filter(([key]) => !NOTIFICATION_FIELDS.has(key));
  const body = decodeMessage(notification.Message as string, "Message", encoding);
  return {
    trigger: "mns-topic",
    // An empty MessageId would make every such message look like the same one.
    deliveryId: (notification.MessageId as string) || sha256Id(body),
    receivedAt,
    body,
    headers: toHeaders(attributes),
    original: notification,
  };
}

/**
 * `attrs` values become headers. `attrs.Extend`, when it holds a JSON object, is also spread into headers
 * (it carries the same key/value attributes that the JSON format merges at top level); explicit attrs win.
 */
export function mnsStreamDelivery(
  stream: { body: string; attrs: Record<string, unknown> },
  receivedAt: number,
  encoding: BodyEncoding,
): Delivery {
  const body = decodeMessage(stream.body, "body", encoding);
  return {
    trigger: "mns-topic",
    deliveryId: sha256Id(body),
    receivedAt,
    body,
    headers: toHeaders([
      ...Object.entries(extendAttributes(stream.attrs.Extend)),
      ...Object.entries(stream.attrs),
    ]),
    original: stream,
  };
}

function extendAttributes(extend: unknown): Record<string, unknown> {
  if (typeof extend !== "string") return {};
  try {
    const parsed: unknown = JSON.parse(extend);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}
