import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { DeadLetterPublishError, type DeadLetterPublisher, type PublishResult } from "./publisher.ts";
import type { DeadLetterRecord } from "./record.ts";

/** Appends one JSON line per record. For local use and for operators who ship a file elsewhere. */
export class FileDeadLetterPublisher implements DeadLetterPublisher {
  readonly name = "file";
  private count = 0;

  constructor(private readonly path: string) {}

  async publish(record: DeadLetterRecord): Promise<PublishResult> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
      await appendFile(this.path, `${JSON.stringify(record)}\n`, "utf8");
    } catch (err) {
      throw new DeadLetterPublishError(`cannot append to ${this.path}: ${(err as Error).message}`);
    }
    this.count += 1;
    return { messageId: `file:${this.path}#${record.delivery.deliveryId}:${this.count}` };
  }
}
