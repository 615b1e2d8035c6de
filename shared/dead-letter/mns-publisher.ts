/**
 * Publishes dead-letter records to an MNS topic with `@alicloud/mns`, with the invocation's STS credentials.
 * The SDK writes the body into XML without escaping it, so we escape it here; the tag carries the failure
 * stage, so subscriptions can filter on it.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import MNSClient from "@alicloud/mns";
import type { EiamCredentials } from "../eiam/types.ts";
import { encodeForMns } from "./envelope.ts";
import { DeadLetterPublishError, type DeadLetterPublisher, type PublishResult } from "./publisher.ts";
import type { DeadLetterRecord } from "./record.ts";

export interface MnsTopicOptions {
  accountId: string;
  topic: string;
  /** `http(s)://host[:port]`; default `https://<accountId>.mns.<region>.aliyuncs.com`. */
  endpoint?: string;
  region?: string;
  maxAttempts?: number;
  timeoutMs?: number;
}

export function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export class MnsDeadLetterPublisher implements DeadLetterPublisher {
  readonly name = "mns";
  private readonly client: MNSClient;

  constructor(
    private readonly options: MnsTopicOptions,
    credentials: EiamCredentials,
  ) {
    const endpoint =
      options.endpoint ??
      (options.region ? `https://${options.accountId}.mns.${options.region}.aliyuncs.com` : undefined);
    if (endpoint === undefined)
      throw new DeadLetterPublishError("MNS dead-letter topic needs MNS_ENDPOINT or a region");
    const timeout = options.timeoutMs ?? 5000;
    this.client = new MNSClient(options.accountId, {
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      securityToken: credentials.securityToken,
      endpoint,
      readTimeout: timeout,
      connectTimeout: timeout,
    });
  }

  async publish(record: DeadLetterRecord): Promise<PublishResult> {
    const bodies = encodeForMns(JSON.stringify(record), randomUUID());
    const ids: string[] = [];
    for (const body of bodies) ids.push(await this.publishOne(body, record.error.stage));
    return { messageId: ids.length === 1 ? ids[0]! : `${ids[0]}+${ids.length - 1}` };
  }

  private async publishOne(body: string, tag: string): Promise<string> {
    const attempts = this.options.maxAttempts ?? 3;
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await this.client.publishMessage(this.options.topic, {
          MessageBody: xmlEscape(body),
          MessageTag: tag,
        });
        const id = res.body?.MessageId;
        if (typeof id === "string" && id !== "") return id;
        last = new Error("MNS answered without a MessageId");
      } catch (err) {
        last = err;
      }
      if (attempt < attempts) await sleep(100 * 2 ** (attempt - 1) * Math.random());
    }
    throw new DeadLetterPublishError(
      `cannot publish to MNS topic ${this.options.topic} after ${attempts} attempts: ${(last as Error)?.message ?? last}`,
    );
  }
}
