/** Turns parsed request XML into typed inputs, rejecting unknown, duplicate or ill-typed elements. */
import { invalidArgument } from "./errors.ts";
import type { XmlElement } from "./xml.ts";

/** MessageAttributes of a published message: nested elements become nested records. */
export interface MessageAttributes {
  [name: string]: string | MessageAttributes;
}

export interface SendMessageInput {
  body: string;
  delaySeconds?: number;
  priority?: number;
}

export interface PublishMessageInput {
  body: string;
  messageTag?: string;
  messageAttributes?: MessageAttributes;
}

export interface QueueAttributeInput {
  visibilityTimeoutSeconds?: number;
  maximumMessageSize?: number;
  pollingWaitSeconds?: number;
  delaySeconds?: number;
  messageRetentionPeriodSeconds?: number;
  loggingEnabled?: boolean;
}

export interface TopicAttributeInput {
  maximumMessageSize?: number;
  messageRetentionPeriodSeconds?: number;
  loggingEnabled?: boolean;
}

export function expectRoot(element: XmlElement, name: string): void {
  if (element.name !== name) {
    throw invalidArgument(
      `XML did not validate against schema: the root element must be <${name}>, got <${element.name}>.`,
    );
  }
}

/** Children by name; throws on an element outside `allowed` or one given twice. */
function fieldsOf(element: XmlElement, allowed: readonly string[]): Map<string, XmlElement> {
  const fields = new Map<string, XmlElement>();
  for (const child of element.children) {
    if (!allowed.includes(child.name)) {
      throw invalidArgument(
        `XML did not validate against schema: <${element.name}> does not allow <${child.name}> ` +
          `(allowed: ${allowed.join(", ")}).`,
      );
    }
    if (fields.has(child.name)) {
      throw invalidArgument(`XML did not validate against schema: <${child.name}> is given more than once.`);
    }
    fields.set(child.name, child);
  }
  return fields;
}

function textOf(field: XmlElement): string {
  if (field.children.length > 0) {
    throw invalidArgument(
      `XML did not validate against schema: <${field.name}> must contain text, not elements.`,
    );
  }
  return field.text;
}

function integerOf(field: XmlElement | undefined): number | undefined {
  if (!field) return undefined;
  const text = textOf(field).trim();
  if (!/^-?\d+$/.test(text))
    throw invalidArgument(`The value of ${field.name} must be an integer; got "${text}".`);
  return Number(text);
}

function booleanOf(field: XmlElement | undefined): boolean | undefined {
  if (!field) return undefined;
  const text = textOf(field).trim().toLowerCase();
  if (text !== "true" && text !== "false") {
    throw invalidArgument(`The value of ${field.name} must be true or false; got "${text}".`);
  }
  return text === "true";
}

function requiredBody(fields: Map<string, XmlElement>): string {
  const field = fields.get("MessageBody");
  if (!field) throw invalidArgument("XML did not validate against schema: <MessageBody> is required.");
  return textOf(field);
}

function withDefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function parseSendMessage(message: XmlElement): SendMessageInput {
  const fields = fieldsOf(message, ["MessageBody", "DelaySeconds", "Priority"]);
  return withDefined({
    body: requiredBody(fields),
    delaySeconds: integerOf(fields.get("DelaySeconds")),
    priority: integerOf(fields.get("Priority")),
  });
}

export function parseBatchSendMessage(messages: XmlElement): SendMessageInput[] {
  return messages.children.map((child) => {
    if (child.name !== "Message") {
      throw invalidArgument(
        `XML did not validate against schema: <Messages> may only contain <Message>, got <${child.name}>.`,
      );
    }
    return parseSendMessage(child);
  });
}

function attributesOf(element: XmlElement): MessageAttributes {
  const attributes: MessageAttributes = {};
  for (const child of element.children) {
    if (Object.hasOwn(attributes, child.name)) {
      throw invalidArgument(`XML did not validate against schema: <${child.name}> is given more than once.`);
    }
    // defineProperty, not assignment: an element named __proto__ must stay plain data.
    Object.defineProperty(attributes, child.name, {
      value: child.children.length > 0 ? attributesOf(child) : child.text,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return attributes;
}

export function parsePublishMessage(message: XmlElement): PublishMessageInput {
  const fields = fieldsOf(message, ["MessageBody", "MessageTag", "MessageAttributes"]);
  const tag = fields.get("MessageTag");
  const attributes = fields.get("MessageAttributes");
  return withDefined({
    body: requiredBody(fields),
    messageTag: tag ? textOf(tag) : undefined,
    messageAttributes: attributes ? attributesOf(attributes) : undefined,
  });
}

export function parseReceiptHandles(handles: XmlElement): string[] {
  return handles.children.map((child) => {
    if (child.name !== "ReceiptHandle") {
      throw invalidArgument(
        `XML did not validate against schema: <ReceiptHandles> may only contain <ReceiptHandle>, got <${child.name}>.`,
      );
    }
    return textOf(child).trim();
  });
}

export function parseQueueAttributes(queue: XmlElement): QueueAttributeInput {
  const fields = fieldsOf(queue, [
    "VisibilityTimeout",
    "MaximumMessageSize",
    "PollingWaitSeconds",
    "DelaySeconds",
    "MessageRetentionPeriod",
    "LoggingEnabled",
  ]);
  return withDefined({
    visibilityTimeoutSeconds: integerOf(fields.get("VisibilityTimeout")),
    maximumMessageSize: integerOf(fields.get("MaximumMessageSize")),
    pollingWaitSeconds: integerOf(fields.get("PollingWaitSeconds")),
    delaySeconds: integerOf(fields.get("DelaySeconds")),
    messageRetentionPeriodSeconds: integerOf(fields.get("MessageRetentionPeriod")),
    loggingEnabled: booleanOf(fields.get("LoggingEnabled")),
  });
}

export function parseTopicAttributes(topic: XmlElement): TopicAttributeInput {
  const fields = fieldsOf(topic, ["MaximumMessageSize", "MessageRetentionPeriod", "LoggingEnabled"]);
  return withDefined({
    maximumMessageSize: integerOf(fields.get("MaximumMessageSize")),
    messageRetentionPeriodSeconds: integerOf(fields.get("MessageRetentionPeriod")),
    loggingEnabled: booleanOf(fields.get("LoggingEnabled")),
  });
}
