/** Documented MNS limits and defaults, and the checks that enforce them (each names the field and rule). */
import { checkIntegerRange, invalidArgument } from "./errors.ts";
import type { QueueAttributes } from "./queue.ts";
import type { QueueAttributeInput, TopicAttributeInput } from "./request-bodies.ts";

export interface TopicAttributes {
  maximumMessageSize: number;
  messageRetentionPeriodSeconds: number;
  loggingEnabled: boolean;
}

export const MAX_BATCH_MESSAGES = 16;
export const MAX_BATCH_BODY_BYTES = 65536;
export const MAX_WAIT_SECONDS = 30;
export const MAX_MESSAGE_TAG_LENGTH = 16;
const NAME_RULE = /^[A-Za-z][A-Za-z0-9-]{0,255}$/;

export const QUEUE_DEFAULTS: QueueAttributes = {
  visibilityTimeoutSeconds: 30,
  maximumMessageSize: 65536,
  pollingWaitSeconds: 0,
  delaySeconds: 0,
  messageRetentionPeriodSeconds: 345600,
  loggingEnabled: false,
};

export const TOPIC_DEFAULTS: TopicAttributes = {
  maximumMessageSize: 65536,
  messageRetentionPeriodSeconds: 86400,
  loggingEnabled: false,
};

export function checkName(kind: string, name: string): void {
  if (!NAME_RULE.test(name)) {
    throw invalidArgument(
      `${kind} name must start with a letter and contain only letters, digits and "-" (at most 256); got "${name}".`,
    );
  }
}

export function queueAttributes(input: QueueAttributeInput, base: QueueAttributes): QueueAttributes {
  const merged: QueueAttributes = { ...base, ...definedOnly(input) };
  checkIntegerRange("VisibilityTimeout", merged.visibilityTimeoutSeconds, 1, 43200, "seconds");
  checkIntegerRange("MaximumMessageSize", merged.maximumMessageSize, 1024, 65536, "bytes");
  checkIntegerRange("PollingWaitSeconds", merged.pollingWaitSeconds, 0, MAX_WAIT_SECONDS, "seconds");
  checkIntegerRange("DelaySeconds", merged.delaySeconds, 0, 604800, "seconds");
  checkIntegerRange("MessageRetentionPeriod", merged.messageRetentionPeriodSeconds, 60, 604800, "seconds");
  return merged;
}

export function topicAttributes(input: TopicAttributeInput, base: TopicAttributes): TopicAttributes {
  const merged: TopicAttributes = { ...base, ...definedOnly(input) };
  checkIntegerRange("MaximumMessageSize", merged.maximumMessageSize, 1024, 65536, "bytes");
  checkIntegerRange("MessageRetentionPeriod", merged.messageRetentionPeriodSeconds, 60, 604800, "seconds");
  return merged;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function sameAttributes(a: object, b: object): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function checkBodySize(body: string, maximumMessageSize: number, field = "MessageBody"): number {
  const bytes = Buffer.byteLength(body, "utf8");
  if (bytes < 1 || bytes > maximumMessageSize) {
    throw invalidArgument(
      `The length of ${field} should between 1 and ${maximumMessageSize} bytes; got ${bytes}.`,
    );
  }
  return bytes;
}

export function checkMessageTag(tag: string, field: string): void {
  if (tag.length < 1 || tag.length > MAX_MESSAGE_TAG_LENGTH) {
    throw invalidArgument(
      `The length of ${field} should between 1 and ${MAX_MESSAGE_TAG_LENGTH} characters; got ${tag.length}.`,
    );
  }
}
