/**
 * A redrive: an operator (the CLI) hands a dead-lettered delivery back to the function through the invoke API,
 * which FC authenticates itself. The HTTP trigger cannot produce this shape: its callers only control the body
 * inside FC's HTTP event, never the top-level invocation.
 */
import * as z from "zod";
import type { DeadLetterPublisher, PublishResult } from "../dead-letter/publisher.ts";
import { DeadLetterRecord } from "../dead-letter/record.ts";

export const REDRIVE_KIND = "eiam-user-sync.redrive";

export const RedriveEnvelope = z.object({
  kind: z.literal(REDRIVE_KIND),
  version: z.literal(1),
  /** The dead-letter message this came from. */
  deadLetterId: z.string().min(1),
  delivery: DeadLetterRecord.shape.delivery,
  /**
   * A failure again: `retain` answers with the original message's id and publishes nothing (the caller keeps
   * that message: a synchronous redrive); `publish` dead-letters it anew (an asynchronous redrive, whose caller
   * deleted the original once FC accepted the invocation).
   */
  onFailure: z.enum(["retain", "publish"]).default("retain"),
});
export type RedriveEnvelope = z.infer<typeof RedriveEnvelope>;

export function redriveEnvelope(
  deadLetterId: string,
  record: DeadLetterRecord,
  onFailure: RedriveEnvelope["onFailure"] = "retain",
): RedriveEnvelope {
  return { kind: REDRIVE_KIND, version: 1, deadLetterId, delivery: record.delivery, onFailure };
}

/** A redrive envelope, when the invocation is one. Cheap check first: most invocations are not. */
export function parseRedrive(event: Buffer): RedriveEnvelope | undefined {
  if (!event.includes(REDRIVE_KIND)) return undefined;
  try {
    const parsed = RedriveEnvelope.safeParse(JSON.parse(event.toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The original invocation's bytes and receive time, to be decoded again exactly as the first time. */
export function redriveInput(envelope: RedriveEnvelope): { bytes: Buffer; receivedAt: number } {
  const { delivery } = envelope;
  const bytes =
    delivery.encoding === "base64"
      ? Buffer.from(String(delivery.original), "base64")
      : Buffer.from(JSON.stringify(delivery.original));
  const receivedAt = Date.parse(delivery.receivedAt);
  return { bytes, receivedAt: Number.isNaN(receivedAt) ? Date.now() : receivedAt };
}

/** During a redrive, a failure stays in the dead-letter message it came from instead of being published again. */
export class RetainedDeadLetter implements DeadLetterPublisher {
  readonly name = "retained";
  constructor(private readonly deadLetterId: string) {}
  async publish(): Promise<PublishResult> {
    return { messageId: this.deadLetterId };
  }
}
