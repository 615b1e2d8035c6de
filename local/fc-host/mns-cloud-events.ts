/**
 * The event an EventBridge MNS-queue trigger pushes to the function: a JSON array of CloudEvents, one per
 * message, `data.messageBody` the message text (IsBase64Decode false). Shape: fc3.md §3a.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { ReceivedMessage } from "./mns-client.ts";

export interface MnsTriggerSource {
  accountId: string;
  region: string;
  queue: string;
  functionName: string;
  triggerName: string;
}

export function mnsQueueCloudEvent(message: ReceivedMessage, source: MnsTriggerSource, now = Date.now()) {
  const busName = `MNS-${source.functionName}-${source.triggerName}`;
  return {
    id: randomUUID(),
    source: busName,
    specversion: "1.0",
    type: "mns:Queue:SendMessage",
    datacontenttype: "application/json; charset=utf-8",
    subject: `acs:mns:${source.region}:${source.accountId}:queues/${source.queue}`,
    time: new Date(message.enqueueTime).toISOString(),
    aliyunaccountid: source.accountId,
    aliyunpublishtime: new Date(now).toISOString(),
    aliyunoriginalaccountid: source.accountId,
    aliyuneventbusname: busName,
    aliyunregionid: source.region,
    aliyunpublishaddr: "127.0.0.1",
    data: {
      requestId: randomBytes(12).toString("hex").toUpperCase(),
      messageId: message.messageId,
      messageBody: message.body,
    },
  };
}

export function mnsQueueTriggerEvent(messages: readonly ReceivedMessage[], source: MnsTriggerSource): Buffer {
  const now = Date.now();
  return Buffer.from(JSON.stringify(messages.map((m) => mnsQueueCloudEvent(m, source, now))));
}
