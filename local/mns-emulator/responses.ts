/** The XML documents MNS answers with, in the element order of the API docs. */
import type { MnsError } from "./errors.ts";
import type { StoredMessage } from "./queue.ts";
import type { QueueInfo, TopicInfo } from "./state.ts";
import { renderMnsDocument, type XmlContent } from "./xml.ts";

type Fields = Array<readonly [string, XmlContent]>;

export function receivedMessageFields(m: StoredMessage): Fields {
  return [
    ["MessageId", m.messageId],
    ["ReceiptHandle", m.receiptHandle ?? ""],
    ["MessageBodyMD5", m.bodyMd5],
    ["MessageBody", m.body],
    ["EnqueueTime", m.enqueueTime],
    ["NextVisibleTime", m.visibleAt],
    ["FirstDequeueTime", m.firstDequeueTime ?? 0],
    ["DequeueCount", m.dequeueCount],
    ["Priority", m.priority],
  ];
}

/** Peek answers carry no ReceiptHandle and no NextVisibleTime. */
export function peekedMessageFields(m: StoredMessage): Fields {
  return [
    ["MessageId", m.messageId],
    ["MessageBodyMD5", m.bodyMd5],
    ["MessageBody", m.body],
    ["EnqueueTime", m.enqueueTime],
    ["FirstDequeueTime", m.firstDequeueTime ?? 0],
    ["DequeueCount", m.dequeueCount],
    ["Priority", m.priority],
  ];
}

/** SendMessage / PublishMessage answer; a delayed message also gets its ReceiptHandle. */
export function sentMessageFields(messageId: string, bodyMd5: string, receiptHandle?: string): Fields {
  const fields: Fields = [
    ["MessageId", messageId],
    ["MessageBodyMD5", bodyMd5],
  ];
  if (receiptHandle !== undefined) fields.push(["ReceiptHandle", receiptHandle]);
  return fields;
}

export const messageDocument = (fields: Fields): string => renderMnsDocument("Message", fields);

export const messagesDocument = (items: Fields[]): string =>
  renderMnsDocument(
    "Messages",
    items.map((fields) => ["Message", fields] as const),
  );

export function changeVisibilityDocument(receiptHandle: string, nextVisibleTime: number): string {
  return renderMnsDocument("ChangeVisibility", [
    ["ReceiptHandle", receiptHandle],
    ["NextVisibleTime", nextVisibleTime],
  ]);
}

export interface ReceiptHandleFailure {
  receiptHandle: string;
  error: MnsError;
}

export function batchDeleteErrorsDocument(failures: readonly ReceiptHandleFailure[]): string {
  return renderMnsDocument(
    "Errors",
    failures.map(
      (f) =>
        [
          "Error",
          [
            ["ErrorCode", f.error.code],
            ["ErrorMessage", f.error.message],
            ["ReceiptHandle", f.receiptHandle],
          ],
        ] as const,
    ),
  );
}

const seconds = (ms: number): number => Math.floor(ms / 1000);
const trueFalse = (value: boolean): string => (value ? "True" : "False");

export function queueAttributesDocument(info: QueueInfo): string {
  const a = info.attributes;
  return renderMnsDocument("Queue", [
    ["QueueName", info.name],
    ["CreateTime", seconds(info.createTime)],
    ["LastModifyTime", seconds(info.lastModifyTime)],
    ["VisibilityTimeout", a.visibilityTimeoutSeconds],
    ["MaximumMessageSize", a.maximumMessageSize],
    ["MessageRetentionPeriod", a.messageRetentionPeriodSeconds],
    ["DelaySeconds", a.delaySeconds],
    ["PollingWaitSeconds", a.pollingWaitSeconds],
    ["ActiveMessages", info.activeMessages],
    ["InactiveMessages", info.inactiveMessages],
    ["DelayMessages", info.delayMessages],
    ["LoggingEnabled", trueFalse(a.loggingEnabled)],
  ]);
}

export function topicAttributesDocument(info: TopicInfo): string {
  const a = info.attributes;
  return renderMnsDocument("Topic", [
    ["TopicName", info.name],
    ["CreateTime", seconds(info.createTime)],
    ["LastModifyTime", seconds(info.lastModifyTime)],
    ["MaximumMessageSize", a.maximumMessageSize],
    ["MessageRetentionPeriod", a.messageRetentionPeriodSeconds],
    ["MessageCount", info.messageCount],
    ["LoggingEnabled", trueFalse(a.loggingEnabled)],
  ]);
}

export function errorDocument(error: MnsError, requestId: string, hostId: string): string {
  return renderMnsDocument("Error", [
    ["Code", error.code],
    ["Message", error.message],
    ["RequestId", requestId],
    ["HostId", hostId],
  ]);
}
