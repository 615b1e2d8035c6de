/**
 * An EventBridge-style MNS queue trigger: long-polls the source queue with the real @alicloud/mns client,
 * gathers up to `batchSize` messages or until `batchWindowSeconds` pass after the first one, and invokes the
 * function once (sync) with the batch as a JSON array of CloudEvents.
 * - success: the messages are deleted;
 * - failure (the handler threw): they are left to reappear after the queue's visibility timeout, and a message
 *   whose delivery failed `maxDeliveries` times (counted by MNS's DequeueCount) is moved, raw body only, to the
 *   trigger dead-letter queue (BACKOFF_RETRY-like, fc3.md §4; EventBridge's real intervals are 10–20 s).
 * One batch at a time (like `maximumTasks: 1`).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type MNSClient from "@alicloud/mns";
import type { InvokeOutcome } from "./invoke.ts";
import { type ReceivedMessage, receiveBatch, xmlEscape } from "./mns-client.ts";
import { type MnsTriggerSource, mnsQueueTriggerEvent } from "./mns-cloud-events.ts";

export interface MnsQueuePollerOptions {
  client: MNSClient;
  source: MnsTriggerSource;
  invoke: (event: Buffer) => Promise<InvokeOutcome>;
  /** Default 10 (EventBridge allows 1–10,000). */
  batchSize?: number;
  /** Default 1; fractions are allowed locally (EventBridge: 0–15 s). */
  batchWindowSeconds?: number;
  /** Failed deliveries before a message goes to the dead-letter queue; default 3. */
  maxDeliveries?: number;
  /** Where messages go after `maxDeliveries` failures; without it they are deleted (dropped) instead. */
  deadLetterQueue?: string;
  /** Long-poll wait when idle; default 1 (MNS allows 0–30). */
  pollWaitSeconds?: number;
  log?: (line: string) => void;
  /** Called after each invocation (for tests and the banner's counters). */
  onBatch?: (batch: { messages: ReceivedMessage[]; ok: boolean }) => void;
}

export interface PollerStats {
  invocations: number;
  delivered: number;
  deleted: number;
  failedInvocations: number;
  deadLettered: number;
}

export class MnsQueuePoller {
  readonly stats: PollerStats = {
    invocations: 0,
    delivered: 0,
    deleted: 0,
    failedInvocations: 0,
    deadLettered: 0,
  };
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: MnsQueuePollerOptions) {
    const size = options.batchSize ?? 10;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`batchSize must be ≥ 1; got ${size}`);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ends the loop after the current long poll or batch. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private log(line: string): void {
    this.options.log?.(`[mns trigger ${this.options.source.queue}] ${line}`);
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const batch = await this.gather();
        if (batch.length > 0) await this.deliver(batch);
      } catch (err) {
        if (!this.running) break;
        this.log(`polling failed: ${(err as Error).message}`);
        await sleep(500);
      }
    }
  }

  private async gather(): Promise<ReceivedMessage[]> {
    const { client, source } = this.options;
    const size = this.options.batchSize ?? 10;
    const wait = this.options.pollWaitSeconds ?? 1;
    const batch = await receiveBatch(client, source.queue, size, wait);
    if (batch.length === 0) return batch;
    const windowEnd = Date.now() + (this.options.batchWindowSeconds ?? 1) * 1000;
    while (this.running && batch.length < size) {
      const left = windowEnd - Date.now();
      if (left <= 0) break;
      // MNS waits in whole seconds; below one second, poll without waiting and pause briefly.
      const waitSeconds = Math.floor(left / 1000);
      const more = await receiveBatch(client, source.queue, size - batch.length, waitSeconds);
      batch.push(...more);
      if (more.length === 0 && waitSeconds === 0) await sleep(Math.min(50, left));
    }
    return batch;
  }

  private async deliver(batch: ReceivedMessage[]): Promise<void> {
    const outcome = await this.options.invoke(mnsQueueTriggerEvent(batch, this.options.source));
    this.stats.invocations += 1;
    this.stats.delivered += batch.length;
    if (outcome.ok) {
      for (const message of batch) await this.remove(message);
    } else {
      this.stats.failedInvocations += 1;
      this.log(
        `invocation with ${batch.length} message(s) failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`,
      );
      for (const message of batch) {
        if (message.dequeueCount >= (this.options.maxDeliveries ?? 3)) await this.deadLetter(message);
      }
    }
    this.options.onBatch?.({ messages: batch, ok: outcome.ok });
  }

  private async remove(message: ReceivedMessage): Promise<boolean> {
    try {
      await this.options.client.deleteMessage(this.options.source.queue, message.receiptHandle);
      this.stats.deleted += 1;
      return true;
    } catch (err) {
      // Usually the visibility timeout ran out during the invocation: the message will come again.
      this.log(`could not delete message ${message.messageId}: ${(err as Error).message}`);
      return false;
    }
  }

  private async deadLetter(message: ReceivedMessage): Promise<void> {
    const { deadLetterQueue, client } = this.options;
    const tries = `${message.dequeueCount} failed deliveries`;
    if (deadLetterQueue === undefined) {
      if (await this.remove(message)) this.log(`dropped message ${message.messageId} after ${tries}`);
      return;
    }
    try {
      await client.sendMessage(deadLetterQueue, { MessageBody: xmlEscape(message.body) });
    } catch (err) {
      this.log(
        `could not move message ${message.messageId} to ${deadLetterQueue}: ${(err as Error).message}`,
      );
      return;
    }
    if (await this.remove(message)) {
      this.stats.deadLettered += 1;
      this.log(`moved message ${message.messageId} to ${deadLetterQueue} after ${tries}`);
    }
  }
}
