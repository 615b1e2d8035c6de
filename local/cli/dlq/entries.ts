/**
 * Dead-letter queue messages → entries an operator can read and redrive:
 * - `record`: our dead-letter record (shared/dead-letter/record.ts), sent plain, gzipped, or in parts that are
 *   joined here (shared/dead-letter/envelope.ts);
 * - `fc-failure`: FC's own async failure record (it has `requestPayload`), from the onFailure destination;
 * - `raw`: anything else, e.g. a message body the MNS trigger moved to its dead-letter queue;
 * - `incomplete`: parts of a record whose other parts are not in the queue (yet).
 * An entry's id is the MNS message id of its (first) message.
 */
import * as z from "zod";
import {
  type CompressedEnvelope,
  decompress,
  joinParts,
  type PartEnvelope,
} from "../../../shared/dead-letter/envelope.ts";
import { DeadLetterRecord } from "../../../shared/dead-letter/record.ts";
import type { ReceivedMessage } from "../../fc-host/mns-client.ts";

export const FcFailureRecord = z.looseObject({
  timestamp: z.string().optional(),
  requestContext: z
    .looseObject({
      requestId: z.string().optional(),
      functionArn: z.string().optional(),
      condition: z.string().optional(),
      approximateInvokeCount: z.number().optional(),
    })
    .optional(),
  requestPayload: z.string(),
  responseContext: z
    .looseObject({ statusCode: z.number().optional(), functionError: z.string().optional() })
    .optional(),
  responsePayload: z.string().optional(),
});
export type FcFailureRecord = z.infer<typeof FcFailureRecord>;

interface EntryBase {
  id: string;
  /** Every MNS message the entry is made of (one, or each part). */
  messages: ReceivedMessage[];
}

export type DlqEntry =
  | (EntryBase & { kind: "record"; envelope: "plain" | "gz" | "parts"; record: DeadLetterRecord })
  | (EntryBase & { kind: "fc-failure"; record: FcFailureRecord })
  | (EntryBase & { kind: "raw"; body: string; note?: string })
  | (EntryBase & { kind: "incomplete"; recordId: string; have: number; parts: number });

type Decoded =
  | { kind: "record"; envelope: "plain" | "gz"; record: DeadLetterRecord }
  | { kind: "fc-failure"; record: FcFailureRecord }
  | { kind: "part"; part: PartEnvelope }
  | { kind: "raw"; note?: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "(record)"}: ${i.message}`)
    .join("; ");
}

function asRecord(value: unknown, envelope: "plain" | "gz"): Decoded {
  const parsed = DeadLetterRecord.safeParse(value);
  if (parsed.success) return { kind: "record", envelope, record: parsed.data };
  return { kind: "raw", note: `not a valid dead-letter record: ${issuesOf(parsed.error)}` };
}

function decodeBody(body: string): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: "raw" };
  }
  if (!isObject(value)) return { kind: "raw" };
  if (value.kind === "eiam-user-sync.dead-letter") return asRecord(value, "plain");
  if (value.kind === "eiam-user-sync.dead-letter.gz") {
    const envelope = value as unknown as CompressedEnvelope;
    try {
      return asRecord(JSON.parse(decompress(String(envelope.data))), "gz");
    } catch (err) {
      return { kind: "raw", note: `unreadable compressed record: ${(err as Error).message}` };
    }
  }
  if (value.kind === "eiam-user-sync.dead-letter.part") {
    const part = value as unknown as PartEnvelope;
    if (typeof part.recordId === "string" && Number.isInteger(part.part) && Number.isInteger(part.parts)) {
      return { kind: "part", part };
    }
    return { kind: "raw", note: "a record part without recordId, part and parts" };
  }
  if ("requestPayload" in value) {
    const parsed = FcFailureRecord.safeParse(value);
    if (parsed.success) return { kind: "fc-failure", record: parsed.data };
    return { kind: "raw", note: `not a valid FC failure record: ${issuesOf(parsed.error)}` };
  }
  return { kind: "raw" };
}

function joinGroup(messages: ReceivedMessage[], parts: PartEnvelope[]): DlqEntry {
  const byPart = [...messages.keys()].sort((a, b) => parts[a]!.part - parts[b]!.part);
  const ordered = byPart.map((i) => messages[i]!);
  const first = parts[byPart[0]!]!;
  const base = { id: ordered[0]!.messageId, messages: ordered };
  const joined = joinParts(parts);
  if (joined === undefined) {
    const have = new Set(parts.map((p) => p.part)).size;
    return { ...base, kind: "incomplete", recordId: first.recordId, have, parts: first.parts };
  }
  try {
    const decoded = asRecord(JSON.parse(joined), "gz");
    if (decoded.kind === "record")
      return { ...base, kind: "record", envelope: "parts", record: decoded.record };
    return { ...base, kind: "raw", body: joined, note: decoded.kind === "raw" ? decoded.note : undefined };
  } catch (err) {
    return {
      ...base,
      kind: "raw",
      body: joined,
      note: `unreadable joined record: ${(err as Error).message}`,
    };
  }
}

/** Entries in queue order (by the enqueue time of their first message). */
export function decodeEntries(messages: readonly ReceivedMessage[]): DlqEntry[] {
  const entries: Array<{ at: number; entry: DlqEntry }> = [];
  const groups = new Map<string, { messages: ReceivedMessage[]; parts: PartEnvelope[] }>();
  for (const message of messages) {
    const decoded = decodeBody(message.body);
    const base = { id: message.messageId, messages: [message] };
    if (decoded.kind === "part") {
      const group = groups.get(decoded.part.recordId) ?? { messages: [], parts: [] };
      group.messages.push(message);
      group.parts.push(decoded.part);
      groups.set(decoded.part.recordId, group);
      continue;
    }
    const entry: DlqEntry =
      decoded.kind === "raw"
        ? { ...base, kind: "raw", body: message.body, ...(decoded.note ? { note: decoded.note } : {}) }
        : decoded.kind === "record"
          ? { ...base, ...decoded }
          : { ...base, ...decoded };
    entries.push({ at: message.enqueueTime, entry });
  }
  for (const group of groups.values()) {
    const at = Math.min(...group.messages.map((m) => m.enqueueTime));
    entries.push({ at, entry: joinGroup(group.messages, group.parts) });
  }
  return entries.sort((a, b) => a.at - b.at).map((e) => e.entry);
}
