import type { DeadLetterRecord } from "./record.ts";

export interface PublishResult {
  /** Where the record can be found again: the MNS MessageId, or `file:<path>#<line>`. */
  messageId: string;
}

/** Where failures go. Implementations retry on their own; a rejection means the record is NOT stored. */
export interface DeadLetterPublisher {
  readonly name: string;
  publish(record: DeadLetterRecord): Promise<PublishResult>;
}

export class DeadLetterPublishError extends Error {
  override readonly name = "DeadLetterPublishError";
}
