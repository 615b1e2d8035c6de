import { isMnsErrorCode, MnsError, type MnsErrorCode } from "./errors.ts";

/** The operation names `failNext` accepts; one per MNS API the emulator serves. */
export const MNS_OPERATIONS = [
  "CreateQueue",
  "SetQueueAttributes",
  "GetQueueAttributes",
  "DeleteQueue",
  "CreateTopic",
  "SetTopicAttributes",
  "GetTopicAttributes",
  "DeleteTopic",
  "PublishMessage",
  "SendMessage",
  "BatchSendMessage",
  "ReceiveMessage",
  "BatchReceiveMessage",
  "PeekMessage",
  "BatchPeekMessage",
  "DeleteMessage",
  "BatchDeleteMessage",
  "ChangeMessageVisibility",
] as const;

export type MnsOperation = (typeof MNS_OPERATIONS)[number];

export function isMnsOperation(name: string): name is MnsOperation {
  return (MNS_OPERATIONS as readonly string[]).includes(name);
}

export interface PendingFailure {
  operation: MnsOperation;
  remaining: number;
  code: MnsErrorCode;
}

/** Makes the next N calls of an operation answer with an MNS error instead of running. */
export class FailureInjector {
  private readonly pending = new Map<MnsOperation, PendingFailure>();

  /** Replaces any failure already pending for the operation. */
  failNext(operation: string, count: number, code: string = "InternalError"): PendingFailure {
    if (!isMnsOperation(operation)) {
      throw new RangeError(`operation must be one of ${MNS_OPERATIONS.join(", ")}; got "${operation}".`);
    }
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`count must be a non-negative integer; got ${count}.`);
    }
    if (!isMnsErrorCode(code)) throw new RangeError(`code must be a known MNS error code; got "${code}".`);
    const failure: PendingFailure = { operation, remaining: count, code };
    if (count === 0) this.pending.delete(operation);
    else this.pending.set(operation, failure);
    return { ...failure };
  }

  /** The error to answer with for this call, consuming one pending failure, or undefined. */
  take(operation: MnsOperation): MnsError | undefined {
    const failure = this.pending.get(operation);
    if (!failure) return undefined;
    failure.remaining -= 1;
    if (failure.remaining <= 0) this.pending.delete(operation);
    return new MnsError(failure.code, `Injected failure for ${operation} (failNext).`);
  }

  list(): PendingFailure[] {
    return [...this.pending.values()].map((f) => ({ ...f }));
  }

  clear(): void {
    this.pending.clear();
  }
}
