/**
 * The MNS source queue that `ack: enqueue` routes put accepted deliveries in (SOURCE_QUEUE, on the same
 * MNS_ENDPOINT / MNS_ACCOUNT_ID as the dead-letter topic), sent with `@alicloud/mns` and the invocation's
 * credentials. One attempt with a short timeout: the sender is waiting, and a refusal becomes a 503 it retries.
 */
import MNSClient from "@alicloud/mns";
import { xmlEscape } from "../dead-letter/mns-publisher.ts";
import type { EiamCredentials } from "../eiam/types.ts";

/** MNS's largest message body. */
export const MNS_MAX_MESSAGE_BYTES = 64 * 1024;

export interface SourceQueue {
  readonly queue: string;
  /** Resolves with the MNS message id once the queue holds the message; rejects when it refused it. */
  send(body: string): Promise<string>;
}

export interface SourceQueueOptions {
  queue: string;
  accountId?: string;
  endpoint?: string;
  region?: string;
  timeoutMs?: number;
}

export class MnsSourceQueue implements SourceQueue {
  readonly queue: string;
  private readonly client: MNSClient;

  constructor(
    options: SourceQueueOptions & { accountId: string; endpoint: string },
    credentials: EiamCredentials,
  ) {
    this.queue = options.queue;
    const timeout = options.timeoutMs ?? 2000;
    this.client = new MNSClient(options.accountId, {
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      securityToken: credentials.securityToken,
      endpoint: options.endpoint,
      readTimeout: timeout,
      connectTimeout: timeout,
    });
  }

  async send(body: string): Promise<string> {
    const res = await this.client.sendMessage(this.queue, { MessageBody: xmlEscape(body) });
    const id = res.body?.MessageId;
    if (typeof id !== "string" || id === "") throw new Error("MNS answered without a MessageId");
    return id;
  }
}

/** The endpoint, or why there is none; checked at cold start. */
export function sourceQueueEndpoint(
  options: SourceQueueOptions,
): { accountId: string; endpoint: string } | string {
  if (options.accountId === undefined) return "SOURCE_QUEUE needs MNS_ACCOUNT_ID";
  const endpoint =
    options.endpoint ??
    (options.region ? `https://${options.accountId}.mns.${options.region}.aliyuncs.com` : undefined);
  return endpoint === undefined
    ? "SOURCE_QUEUE needs MNS_ENDPOINT or a region"
    : { accountId: options.accountId, endpoint };
}
