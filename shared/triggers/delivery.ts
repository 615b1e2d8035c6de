/**
 * What a trigger adapter hands to the rest of the pipeline: one `Delivery` per message,
 * whatever door (HTTP trigger, EventBridge event stream, MNS topic, direct invoke) it came through.
 * Function Compute's own event shapes stop at the adapters in this folder.
 */

/**
 * What the HTTP route a delivery came through says about reading it (shared/door/). A delivery accepted on an
 * `enqueue` route carries the same traits through the source queue, so the queue path reads it the same way.
 */
export interface RouteTraits {
  /** The route's configured path, for logs. */
  path: string;
  /** `undefined`: guess from the Content-Type and the payload (the catch-all route without SENDERS_FILE). */
  format?: "canonical" | "cloudevents" | "scim" | "mapped";
  /** For `mapped:<name>`. */
  mappingName?: string;
  /** The `source` of events whose payload names none (part of the idempotency key). */
  source?: string;
  /** CloudEvents without `time` take the receipt time instead of being refused. */
  receiptTimeWhenNoTime?: boolean;
}

export type TriggerKind = "http" | "mns-queue" | "rocketmq" | "kafka" | "rabbitmq" | "mns-topic" | "direct";

export interface Delivery {
  trigger: TriggerKind;
  /**
   * Stable id of this delivery. Which field wins, per trigger:
   * - http: `webhook-id` header, else FC `requestContext.requestId`, else `sha256:<hex of body>`
   * - mns-queue: `data.messageId`, else the CloudEvent `id`
   * - rocketmq: `systemProperties.KEYS`, else `UNIQ_KEY`, else `data.msgId`, else the CloudEvent `id`
   * - kafka: `${topic}-${partition}-${offset}`, else the CloudEvent `id`
   * - rabbitmq: `props.messageId`, else the CloudEvent `id`
   * - mns-topic: `MessageId` (JSON format); `sha256:<hex of body>` (STREAM format, which carries no id)
   * - direct: a canonical event's own string `id`, else `sha256:<hex of body>` (a SCIM `id` names the user)
   */
  deliveryId: string;
  /** When we received it: epoch ms (the invocation's receive time, passed in). */
  receivedAt: number;
  /** The payload bytes of this one message, Base64-decoded where the platform encoded it. */
  body: Buffer;
  /**
   * Lower-cased HTTP headers (multi-values already comma-joined by FC), or message properties/attributes
   * flattened to strings (RocketMQ tags/keys/userProperties, MNS message attributes, Kafka headers).
   */
  headers: Record<string, string>;
  /** HTTP only. */
  http?: { method: string; path: string; query: Record<string, string>; sourceIp?: string };
  /** Set by the door for HTTP deliveries (and kept by the queue for ones it accepted). */
  route?: RouteTraits;
  /**
   * This delivery exactly as received: the HTTP event object, one CloudEvent object, the MNS topic
   * notification, or the direct event (JSON value). Kept for the dead-letter record.
   */
  original: unknown;
}

/** One message of a batch that could not be decoded: dead-lettered on its own, the others are applied. */
export interface Undecodable {
  trigger: TriggerKind;
  deliveryId: string;
  receivedAt: number;
  /** The message as it came (one CloudEvent object), for the dead-letter record. */
  original: unknown;
  /** Its bytes, to recognise a redelivery of the same message. */
  bytes: Buffer;
  error: UnknownEventShapeError;
}

export type DecodedInvocation =
  /** The handler's answer must be an FC HTTP response struct. */
  | { kind: "http"; delivery: Delivery }
  /** EventBridge event stream, MNS topic, or direct invoke: one or many deliveries. */
  | { kind: "batch"; deliveries: Delivery[]; undecodable?: Undecodable[] };

/**
 * How a message body string is encoded. `auto`: decode only when the string is canonical Base64 whose
 * decoding is valid UTF-8 text starting with `{` or `[` (a JSON document); otherwise take it as text.
 */
export type BodyEncoding = "auto" | "text" | "base64";

export interface DecodeOptions {
  /** MNS queue `data.messageBody`, MNS topic `Message` and STREAM `body`. Default `auto`. */
  mnsBodyEncoding?: BodyEncoding;
  /** Kafka `data.value` when it is a string. Default `auto`. */
  kafkaValueEncoding?: BodyEncoding;
  /**
   * Treat any JSON object (or array of objects) that matches no platform shape as a direct invocation,
   * for deployments whose payload format is configured (e.g. a mapped HR webhook relayed by direct invoke).
   * Default false: only canonical-looking and SCIM-looking payloads count as direct.
   */
  acceptAnyJsonAsDirect?: boolean;
}

/** The invocation matched none of the shapes we know. `seen` describes it without quoting its content. */
export class UnknownEventShapeError extends Error {
  readonly seen: string;
  constructor(seen: string) {
    super(`unrecognised event: ${seen}`);
    this.name = "UnknownEventShapeError";
    this.seen = seen;
  }
}
