/**
 * EventBridge event-stream triggers (MNS queue, ApsaraMQ for RocketMQ, Kafka, RabbitMQ): each message arrives
 * as one CloudEvent 1.0 object whose `type` prefix names the source and whose `data` holds the message.
 */
import { decodeAcceptedDelivery } from "./accepted-delivery.ts";
import { BodyEncodingMismatch, decodeBodyString, sha256Id } from "./body-encoding.ts";
import {
  type BodyEncoding,
  type DecodeOptions,
  type Delivery,
  type TriggerKind,
  type Undecodable,
  UnknownEventShapeError,
} from "./delivery.ts";
import { clip } from "./describe-shape.ts";
import { headerValue, isRecord, toHeaders } from "./headers.ts";

export interface CloudEvent extends Record<string, unknown> {
  specversion: string;
  id: string;
  type: string;
  source: string;
}

/** A CloudEvent: `specversion` plus string `type`, `source` and `id`. */
export function isCloudEvent(value: unknown): value is CloudEvent {
  return (
    isRecord(value) &&
    typeof value.specversion === "string" &&
    typeof value.type === "string" &&
    typeof value.source === "string" &&
    typeof value.id === "string"
  );
}

function describeEvent(event: CloudEvent): string {
  return `a CloudEvent of type '${clip(event.type, 64)}' (source '${clip(event.source, 64)}')`;
}

function dataOf(event: CloudEvent): Record<string, unknown> {
  if (!isRecord(event.data))
    throw new UnknownEventShapeError(`${describeEvent(event)} whose data is not an object`);
  return event.data;
}

/** The CloudEvent's id; when it is empty, a hash of the event, so that a redelivery still gets the same id. */
function fallbackId(event: CloudEvent): string {
  return nonEmpty(event.id) ?? sha256Id(Buffer.from(JSON.stringify(event)));
}

function nonEmpty(value: unknown): string | undefined {
  if (typeof value === "string" && value.trim() !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

function decodeField(event: CloudEvent, field: string, text: string, encoding: BodyEncoding): Buffer {
  try {
    return decodeBodyString(text, encoding);
  } catch (error) {
    if (!(error instanceof BodyEncodingMismatch)) throw error;
    throw new UnknownEventShapeError(
      `${describeEvent(event)} whose ${field} ${error.message} (encoding is set to base64)`,
    );
  }
}

/** Objects and other JSON values are re-serialized; strings are text. */
function jsonOrText(value: unknown): Buffer {
  if (value === undefined || value === null) return Buffer.alloc(0);
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value), "utf8");
}

/**
 * MNS queue: `data = { requestId, messageId, messageBody }`; the body is text or Base64 (by configuration).
 * A delivery the door accepted on an `enqueue` route is unwrapped into the delivery it was (accepted-delivery.ts).
 */
export function mnsQueueDelivery(event: CloudEvent, receivedAt: number, options: DecodeOptions): Delivery {
  const data = dataOf(event);
  if (typeof data.messageBody !== "string") {
    throw new UnknownEventShapeError(`${describeEvent(event)} whose data.messageBody is not a string`);
  }
  const body = decodeField(event, "data.messageBody", data.messageBody, options.mnsBodyEncoding ?? "auto");
  let accepted: ReturnType<typeof decodeAcceptedDelivery>;
  try {
    accepted = decodeAcceptedDelivery(body);
  } catch (error) {
    throw new UnknownEventShapeError(`${describeEvent(event)}: ${(error as Error).message}`);
  }
  if (accepted !== undefined) return { trigger: "mns-queue", ...accepted, original: event };
  return {
    trigger: "mns-queue",
    deliveryId: nonEmpty(data.messageId) ?? fallbackId(event),
    receivedAt,
    body,
    headers: {},
    original: event,
  };
}

/** RocketMQ: `data = { topic, systemProperties: { TAGS, KEYS, UNIQ_KEY, … }, userProperties, body }`. */
export function rocketmqDelivery(event: CloudEvent, receivedAt: number): Delivery {
  const data = dataOf(event);
  const system = isRecord(data.systemProperties) ? data.systemProperties : {};
  const user = isRecord(data.userProperties) ? data.userProperties : {};
  const systemHeaders: [string, unknown][] = [];
  if (system.TAGS !== undefined) systemHeaders.push(["tags", system.TAGS]);
  if (system.KEYS !== undefined) systemHeaders.push(["keys", system.KEYS]);
  if (system.UNIQ_KEY !== undefined) systemHeaders.push(["uniq_key", system.UNIQ_KEY]);
  return {
    trigger: "rocketmq",
    deliveryId:
      nonEmpty(system.KEYS) ?? nonEmpty(system.UNIQ_KEY) ?? nonEmpty(data.msgId) ?? fallbackId(event),
    receivedAt,
    body: jsonOrText(data.body),
    // System properties come last so a user property cannot pose as the tag or key.
    headers: toHeaders([...Object.entries(user), ...systemHeaders]),
    original: event,
  };
}

/** Kafka headers arrive as `{ headers: [{ key, value }], isReadOnly }`; values may be text or a byte array. */
function kafkaHeaders(raw: unknown): Record<string, string> {
  const list = isRecord(raw) ? raw.headers : raw;
  if (isRecord(list)) return toHeaders(Object.entries(list));
  if (!Array.isArray(list)) return {};
  const entries: [string, unknown][] = [];
  for (const item of list) {
    if (!isRecord(item) || typeof item.key !== "string") continue;
    const value = item.value;
    const isBytes = Array.isArray(value) && value.every((byte) => Number.isInteger(byte));
    entries.push([item.key, isBytes ? Buffer.from(value as number[]).toString("utf8") : headerValue(value)]);
  }
  return toHeaders(entries);
}

/** Kafka: `data = { topic, partition, offset, timestamp, headers, key, value }`; value is JSON, text or Base64. */
export function kafkaDelivery(event: CloudEvent, receivedAt: number, options: DecodeOptions): Delivery {
  const data = dataOf(event);
  const hasPosition =
    nonEmpty(data.topic) !== undefined &&
    nonEmpty(data.partition) !== undefined &&
    nonEmpty(data.offset) !== undefined;
  const value = data.value;
  const body =
    typeof value === "string"
      ? decodeField(event, "data.value", value, options.kafkaValueEncoding ?? "auto")
      : jsonOrText(value);
  return {
    trigger: "kafka",
    deliveryId: hasPosition ? `${data.topic}-${data.partition}-${data.offset}` : fallbackId(event),
    receivedAt,
    body,
    headers: kafkaHeaders(data.headers),
    original: event,
  };
}

/** RabbitMQ: `data = { envelope, body, props: { messageId, headers?, … } }`; body is a JSON value or text. */
export function rabbitmqDelivery(event: CloudEvent, receivedAt: number): Delivery {
  const data = dataOf(event);
  const props = isRecord(data.props) ? data.props : {};
  return {
    trigger: "rabbitmq",
    deliveryId: nonEmpty(props.messageId) ?? fallbackId(event),
    receivedAt,
    body: jsonOrText(data.body),
    headers: toHeaders(Object.entries(isRecord(props.headers) ? props.headers : {})),
    original: event,
  };
}

/** Choose the source by the CloudEvent `type` prefix (Kafka also by `source: acs:alikafka`). */
export function cloudEventDelivery(event: CloudEvent, receivedAt: number, options: DecodeOptions): Delivery {
  if (event.type.startsWith("mns:Queue:")) return mnsQueueDelivery(event, receivedAt, options);
  if (event.type.startsWith("mq:Topic:")) return rocketmqDelivery(event, receivedAt);
  if (event.type.startsWith("alikafka:Topic:") || event.source.startsWith("acs:alikafka")) {
    return kafkaDelivery(event, receivedAt, options);
  }
  if (event.type.startsWith("amqp:Queue:")) return rabbitmqDelivery(event, receivedAt);
  throw new UnknownEventShapeError(
    `${describeEvent(event)}; known types start with mns:Queue:, mq:Topic:, alikafka:Topic:, amqp:Queue:`,
  );
}

function triggerOf(event: CloudEvent): TriggerKind {
  if (event.type.startsWith("mns:Queue:")) return "mns-queue";
  if (event.type.startsWith("mq:Topic:")) return "rocketmq";
  if (event.type.startsWith("alikafka:Topic:") || event.source.startsWith("acs:alikafka")) return "kafka";
  if (event.type.startsWith("amqp:Queue:")) return "rabbitmq";
  return "direct";
}

/**
 * A batch of messages (an EventBridge event stream): each one is decoded on its own, so that one that cannot be
 * decoded (or is not a CloudEvent at all) is dead-lettered alone and the rest are applied.
 */
export function cloudEventBatch(
  items: readonly unknown[],
  receivedAt: number,
  options: DecodeOptions,
): { deliveries: Delivery[]; undecodable: Undecodable[] } {
  const deliveries: Delivery[] = [];
  const undecodable: Undecodable[] = [];
  for (const item of items) {
    const bytes = Buffer.from(JSON.stringify(item) ?? "null", "utf8");
    try {
      if (!isCloudEvent(item)) throw new UnknownEventShapeError("a batch element that is not a CloudEvent");
      deliveries.push(cloudEventDelivery(item, receivedAt, options));
    } catch (error) {
      if (!(error instanceof UnknownEventShapeError)) throw error;
      const event = isCloudEvent(item) ? item : undefined;
      undecodable.push({
        trigger: event ? triggerOf(event) : "direct",
        deliveryId: (event && nonEmpty(event.id)) ?? sha256Id(bytes),
        receivedAt,
        original: item,
        bytes,
        error,
      });
    }
  }
  return { deliveries, undecodable };
}
