/** Reads the dead-letter records that the function published to an MNS emulator topic. */
import type { MnsEmulator } from "../../../local/mns-emulator/server.ts";
import { DeadLetterRecord } from "../../../shared/dead-letter/record.ts";

export interface PublishedDeadLetter {
  messageId: string;
  tag: string | undefined;
  record: DeadLetterRecord;
}

/** Every message must be a whole version-1 record: the stream never makes one over 64 KB. */
export function publishedDeadLetters(mns: MnsEmulator, topic: string): PublishedDeadLetter[] {
  return mns.state.topicMessages(topic).map((m) => ({
    messageId: m.messageId,
    tag: m.messageTag,
    record: DeadLetterRecord.parse(JSON.parse(m.body)),
  }));
}
