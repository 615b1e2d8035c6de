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
  /** Messages the queue holds beyond `--max`, not read. */
  beyondMax: number;
  /** The `--max` the queue was read with. */
  max: number;
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
  const { messages, missing, beyondMax } = await readQueue(client, queue, options);
  const entries = decodeEntries(messages).map((entry) => ({ entry, summary: summarizeEntry(entry) }));
  return { client, queue, entries, missing, beyondMax, max: options.max ?? 1000 };
}

/** What reading left out, as one line for the operator; undefined when every message was read. */
export function unreadNote(dlq: OpenDlq): string | undefined {
  const parts: string[] = [];
  if (dlq.beyondMax > 0) {
    parts.push(`${dlq.beyondMax} more message(s) in ${dlq.queue} not read (--max ${dlq.max}; raise it)`);
  }
  if (dlq.missing > 0) {
    parts.push(`${dlq.missing} message(s) held by another reader right now, not read`);
  }
  return parts.length > 0 ? parts.join("; ") : undefined;
}

export function allMessages(dlq: OpenDlq) {
  return dlq.entries.flatMap((e) => e.entry.messages);
}
