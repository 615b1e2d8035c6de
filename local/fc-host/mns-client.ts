/**
 * The real @alicloud/mns client as the local platform pieces (poller, onFailure destination) and the CLI use it.
 * The SDK writes bodies into XML without escaping them (mns-fc2.md §1.5), so senders escape first; readers get
 * the text back already unescaped by the SDK's XML parser.
 */
import MNSClient from "@alicloud/mns";
import type { AsyncFailureRecord } from "./async-failure-record.ts";

export interface MnsConnection {
  accountId: string;
  /** `http(s)://host[:port]`, no trailing slash. */
  endpoint: string;
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  /** Read and connect timeout in ms; default 40000 (above the 30 s long-poll maximum). */
  timeoutMs?: number;
}

/** SDK methods that shared/types/alicloud-mns.d.ts does not declare (lib/client.js has them). */
export interface MnsClientExtras {
  getQueueAttributes(queue: string): Promise<{ code: number; body?: Record<string, string> }>;
  batchSendMessage(
    queue: string,
    messages: Array<{ MessageBody: string; DelaySeconds?: number; Priority?: number }>,
  ): Promise<{ code: number; body?: Array<Record<string, string>> }>;
}
export type LocalMnsClient = MNSClient & MnsClientExtras;

export function createMnsClient(connection: MnsConnection): LocalMnsClient {
  const timeout = connection.timeoutMs ?? 40_000;
  const client = new MNSClient(connection.accountId, {
    accessKeyId: connection.credentials.accessKeyId,
    accessKeySecret: connection.credentials.accessKeySecret,
    securityToken: connection.credentials.securityToken,
    endpoint: connection.endpoint.replace(/\/+$/, ""),
    readTimeout: timeout,
    connectTimeout: Math.min(timeout, 10_000),
  });
  return client as LocalMnsClient;
}

export function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The SDK names its errors `MNS<Code>Error`. */
export function mnsErrorCode(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  return /^MNS(\w+)Error$/.exec(err.name)?.[1];
}

/** "No message" is an answer, not a failure: an empty queue, or a receipt handle that is no longer current. */
export function isMessageNotExist(err: unknown): boolean {
  return mnsErrorCode(err) === "MessageNotExist";
}

/** A received message as the SDK returns it (all values are strings). */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  enqueueTime: number;
  dequeueCount: number;
}

export function toReceivedMessage(fields: Record<string, string>): ReceivedMessage {
  return {
    messageId: fields.MessageId ?? "",
    receiptHandle: fields.ReceiptHandle ?? "",
    body: fields.MessageBody ?? "",
    enqueueTime: Number(fields.EnqueueTime ?? Date.now()),
    dequeueCount: Number(fields.DequeueCount ?? 1),
  };
}

/** Up to `max` (≤16) messages; an empty list when none came within `waitSeconds`. */
export async function receiveBatch(
  client: MNSClient,
  queue: string,
  max: number,
  waitSeconds: number,
): Promise<ReceivedMessage[]> {
  try {
    const res = await client.batchReceiveMessage(queue, Math.min(16, Math.max(1, max)), waitSeconds);
    return (res.body ?? []).map(toReceivedMessage);
  } catch (err) {
    if (isMessageNotExist(err)) return [];
    throw err;
  }
}

/** An onFailure destination that publishes FC's failure record to an MNS topic. */
export function mnsTopicDestination(
  client: MNSClient,
  topic: string,
): (record: AsyncFailureRecord) => Promise<void> {
  return async (record) => {
    await client.publishMessage(topic, { MessageBody: xmlEscape(JSON.stringify(record)) });
  };
}
