/** Reads the target's dead-letter queue into entries (see queue-reader.ts for why reading does not consume). */
import { createMnsClient, type LocalMnsClient } from "../../fc-host/mns-client.ts";
import type { Target } from "../target.ts";
import { type DlqEntry, decodeEntries } from "./entries.ts";
import { readQueue } from "./queue-reader.ts";
import { type EntrySummary, summarizeEntry } from "./summary.ts";

export interface OpenDlq {
  client: LocalMnsClient;
  queue: string;
  entries: Array<{ entry: DlqEntry; summary: EntrySummary }>;
  /** Messages the queue holds that could not be read now (hidden by another reader). */
  missing: number;
}

export function mnsClientFor(target: Target): LocalMnsClient {
  return createMnsClient({
    accountId: target.accountId,
    endpoint: target.mnsEndpoint,
    credentials: target.credentials,
  });
}

export async function openDlq(
  target: Target,
  options: { waitSeconds?: number; max?: number },
): Promise<OpenDlq> {
  const client = mnsClientFor(target);
  const queue = target.dlqQueue;
  const { messages, missing } = await readQueue(client, queue, options);
  const entries = decodeEntries(messages).map((entry) => ({ entry, summary: summarizeEntry(entry) }));
  return { client, queue, entries, missing };
}

export function allMessages(dlq: OpenDlq) {
  return dlq.entries.flatMap((e) => e.entry.messages);
}
