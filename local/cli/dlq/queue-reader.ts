/**
 * Reads a whole dead-letter queue without consuming it: every message is received (so it is hidden from other
 * readers for a moment) and later made visible again with ChangeMessageVisibility, or deleted once redriven.
 * Receiving does raise each message's DequeueCount; MNS has no way to list a queue otherwise (PeekMessage
 * only ever shows the first 16 messages).
 */
import type MNSClient from "@alicloud/mns";
import {
  isMessageNotExist,
  type LocalMnsClient,
  mnsErrorCode,
  type ReceivedMessage,
  receiveBatch,
} from "../../fc-host/mns-client.ts";
import { CliError } from "../io.ts";

export interface ReadOptions {
  /** Stop after this many messages; default 1000. */
  max?: number;
  /**
   * How long to keep polling for messages that are in the queue but hidden right now (another reader's
   * listing, which hides them for a second, or an in-flight redrive). Default 3 seconds.
   */
  waitSeconds?: number;
}

export interface ReadResult {
  messages: ReceivedMessage[];
  /** Messages the queue reported (active + inactive) but that could not be read within the wait. */
  missing: number;
  /** Messages the queue reported beyond `max`: not read at all. */
  beyondMax: number;
}

function queueError(err: unknown, queue: string): never {
  const code = mnsErrorCode(err);
  if (code === "QueueNotExist") throw new CliError(`queue '${queue}' does not exist`);
  throw err;
}

async function countMessages(client: LocalMnsClient, queue: string): Promise<number> {
  try {
    const res = await client.getQueueAttributes(queue);
    return Number(res.body?.ActiveMessages ?? 0) + Number(res.body?.InactiveMessages ?? 0);
  } catch (err) {
    return queueError(err, queue);
  }
}

export async function readQueue(
  client: LocalMnsClient,
  queue: string,
  options: ReadOptions = {},
): Promise<ReadResult> {
  const max = options.max ?? 1000;
  const expected = await countMessages(client, queue);
  const seen = new Map<string, ReceivedMessage>();
  const take = (batch: ReceivedMessage[]) => {
    for (const m of batch) seen.set(m.messageId, m);
  };
  try {
    for (;;) {
      const batch = await receiveBatch(client, queue, Math.min(16, max - seen.size), 0);
      take(batch);
      if (batch.length === 0 || seen.size >= max) break;
    }
    const deadline = Date.now() + (options.waitSeconds ?? 3) * 1000;
    while (seen.size < Math.min(expected, max) && Date.now() < deadline) {
      take(await receiveBatch(client, queue, Math.min(16, max - seen.size), 1));
    }
  } catch (err) {
    queueError(err, queue);
  }
  const messages = [...seen.values()].sort((a, b) => a.enqueueTime - b.enqueueTime);
  return {
    messages,
    missing: Math.max(0, Math.min(expected, max) - messages.length),
    beyondMax: Math.max(0, expected - max),
  };
}

/** Makes messages visible again after `seconds` (MNS's minimum is 1). A stale handle is ignored. */
export async function release(
  client: MNSClient,
  queue: string,
  messages: readonly ReceivedMessage[],
  seconds = 1,
): Promise<void> {
  for (const message of messages) {
    try {
      await client.changeMessageVisibility(queue, message.receiptHandle, seconds);
    } catch (err) {
      if (!isMessageNotExist(err)) throw err;
    }
  }
}

/** Keeps messages hidden for `seconds` more; each gets the new receipt handle MNS issues. */
export async function hold(
  client: MNSClient,
  queue: string,
  messages: ReceivedMessage[],
  seconds: number,
): Promise<void> {
  for (const message of messages) {
    const res = await client.changeMessageVisibility(queue, message.receiptHandle, seconds);
    const handle = res.body?.ReceiptHandle;
    if (typeof handle === "string" && handle !== "") message.receiptHandle = handle;
  }
}

export async function remove(
  client: MNSClient,
  queue: string,
  messages: readonly ReceivedMessage[],
): Promise<void> {
  for (const message of messages) await client.deleteMessage(queue, message.receiptHandle);
}
