/**
 * One EventBridge delivery from an MNS queue source to FC: a JSON array of CloudEvents 1.0, one per message,
 * each carrying the message body as text in `data.messageBody` (reference: fc3.md, MNS queue event stream).
 */
import { randomUUID } from "node:crypto";

const ACCOUNT_ID = "1234567890123456";
const BUS = "MNS-eiam-user-sync-bench";

export function mnsQueueBatch(bodies: readonly string[]): string {
  const now = new Date().toISOString();
  return JSON.stringify(
    bodies.map((messageBody) => ({
      id: randomUUID(),
      source: BUS,
      specversion: "1.0",
      type: "mns:Queue:SendMessage",
      datacontenttype: "application/json; charset=utf-8",
      subject: `acs:mns:cn-hangzhou:${ACCOUNT_ID}:queues/eiam-user-changes`,
      time: now,
      aliyunaccountid: ACCOUNT_ID,
      aliyunpublishtime: now,
      aliyunoriginalaccountid: ACCOUNT_ID,
      aliyuneventbusname: BUS,
      aliyunregionid: "cn-hangzhou",
      aliyunpublishaddr: "127.0.0.1",
      data: {
        requestId: randomUUID(),
        messageId: randomUUID().replace(/-/g, "").toUpperCase(),
        messageBody,
      },
    })),
  );
}
