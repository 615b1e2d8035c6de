/**
 * EventBridge's MNS-queue event stream delivers a batch as a JSON array of CloudEvents (reference: fc3.md),
 * one per message. Written by hand here so a test controls every messageId, as redeliveries need.
 */
import { randomUUID } from "node:crypto";

export interface QueueMessage {
  messageId: string;
  body: string;
}

export function mnsQueueBatch(messages: readonly QueueMessage[], now = new Date()): Buffer {
  const time = now.toISOString();
  return Buffer.from(
    JSON.stringify(
      messages.map((m) => ({
        id: randomUUID(),
        source: "MNS-eiam-user-sync-user-changes",
        specversion: "1.0",
        type: "mns:Queue:SendMessage",
        datacontenttype: "application/json; charset=utf-8",
        subject: "acs:mns:cn-hangzhou:1234567890123456:queues/eiam-user-changes",
        time,
        aliyunaccountid: "1234567890123456",
        aliyunpublishtime: time,
        aliyunoriginalaccountid: "1234567890123456",
        aliyuneventbusname: "MNS-eiam-user-sync-user-changes",
        aliyunregionid: "cn-hangzhou",
        aliyunpublishaddr: "127.0.0.1",
        data: { requestId: randomUUID(), messageId: m.messageId, messageBody: m.body },
      })),
    ),
  );
}
