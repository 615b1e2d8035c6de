import { MnsError, messageNotExist } from "./errors.ts";
import { newMessageId, newReceiptHandle } from "./ids.ts";
import type { MessageAttributes } from "./request-bodies.ts";
import { messageBodyMd5 } from "./signature.ts";

export interface QueueAttributes {
  visibilityTimeoutSeconds: number;
  maximumMessageSize: number;
  pollingWaitSeconds: number;
  delaySeconds: number;
  messageRetentionPeriodSeconds: number;
  loggingEnabled: boolean;
}

/** Where a queue message came from when a topic pushed it. */
export interface MessageSource {
  topic: string;
  subscription: string;
  topicMessageId: string;
  messageTag?: string;
  messageAttributes?: MessageAttributes;
}

export interface EnqueueInput {
  body: string;
  delaySeconds?: number;
  priority?: number;
  source?: MessageSource;
}

export interface StoredMessage {
  sequence: number;
  messageId: string;
  body: string;
  bodyMd5: string;
  priority: number;
  enqueueTime: number;
  firstDequeueTime: number | undefined;
  dequeueCount: number;
  /** Epoch ms when the message is (or becomes) active; its NextVisibleTime. */
  visibleAt: number;
  /** The only receipt handle currently valid for this message, if any. */
  receiptHandle: string | undefined;
  source: MessageSource | undefined;
}

export type MessageStatus = "active" | "inactive" | "delayed";

export interface QueueMessageSnapshot {
  messageId: string;
  body: string;
  bodyMd5: string;
  priority: number;
  enqueueTime: number;
  firstDequeueTime: number | null;
  dequeueCount: number;
  nextVisibleTime: number;
  visible: boolean;
  status: MessageStatus;
  receiptHandle: string | null;
  source?: MessageSource;
}

export const DEFAULT_PRIORITY = 8;

/** One queue: its messages, receipt handles and the long-polling receivers waiting on it. */
export class EmulatedQueue {
  readonly createTime: number;
  lastModifyTime: number;
  private readonly messages = new Map<string, StoredMessage>();
  /** Every receipt handle ever issued here, to tell a stale handle (404) from a made-up one (400). */
  private readonly issuedHandles = new Set<string>();
  private readonly currentHandles = new Map<string, string>();
  private readonly waiters = new Set<() => void>();
  private sequence = 0;

  constructor(
    readonly name: string,
    public attributes: QueueAttributes,
    now: number,
  ) {
    this.createTime = now;
    this.lastModifyTime = now;
  }

  enqueue(input: EnqueueInput, now: number): StoredMessage {
    this.sequence += 1;
    const delaySeconds = input.delaySeconds ?? this.attributes.delaySeconds;
    const message: StoredMessage = {
      sequence: this.sequence,
      messageId: newMessageId(),
      body: input.body,
      bodyMd5: messageBodyMd5(input.body),
      priority: input.priority ?? DEFAULT_PRIORITY,
      enqueueTime: now,
      firstDequeueTime: undefined,
      dequeueCount: 0,
      visibleAt: now + delaySeconds * 1000,
      receiptHandle: undefined,
      source: input.source,
    };
    this.messages.set(message.messageId, message);
    // A delayed message gets a handle at once so it can be deleted or re-timed before it is delivered.
    if (delaySeconds > 0) this.issueHandle(message);
    this.wakeWaiters();
    return message;
  }

  /** Active messages by priority (1 is highest), then enqueue order. */
  private visibleMessages(now: number): StoredMessage[] {
    return [...this.messages.values()]
      .filter((m) => m.visibleAt <= now)
      .sort((a, b) => a.priority - b.priority || a.sequence - b.sequence);
  }

  receive(max: number, now: number): StoredMessage[] {
    const taken = this.visibleMessages(now).slice(0, max);
    for (const message of taken) {
      message.dequeueCount += 1;
      message.firstDequeueTime ??= now;
      message.visibleAt = now + this.attributes.visibilityTimeoutSeconds * 1000;
      this.issueHandle(message);
    }
    return taken;
  }

  peek(max: number, now: number): StoredMessage[] {
    return this.visibleMessages(now).slice(0, max);
  }

  deleteMessage(receiptHandle: string, now: number): void {
    const message = this.messageForHandle(receiptHandle, now);
    this.messages.delete(message.messageId);
    this.currentHandles.delete(receiptHandle);
  }

  changeVisibility(receiptHandle: string, visibilityTimeoutSeconds: number, now: number): StoredMessage {
    const message = this.messageForHandle(receiptHandle, now);
    message.visibleAt = now + visibilityTimeoutSeconds * 1000;
    this.issueHandle(message);
    this.wakeWaiters();
    return message;
  }

  purge(): number {
    const count = this.messages.size;
    this.messages.clear();
    this.currentHandles.clear();
    return count;
  }

  counts(now: number): { active: number; inactive: number; delayed: number } {
    const counts = { active: 0, inactive: 0, delayed: 0 };
    for (const message of this.messages.values()) counts[statusOf(message, now)] += 1;
    return counts;
  }

  snapshot(now: number): QueueMessageSnapshot[] {
    return [...this.messages.values()].map((m) => ({
      messageId: m.messageId,
      body: m.body,
      bodyMd5: m.bodyMd5,
      priority: m.priority,
      enqueueTime: m.enqueueTime,
      firstDequeueTime: m.firstDequeueTime ?? null,
      dequeueCount: m.dequeueCount,
      nextVisibleTime: m.visibleAt,
      visible: m.visibleAt <= now,
      status: statusOf(m, now),
      receiptHandle: m.visibleAt > now ? (m.receiptHandle ?? null) : null,
      ...(m.source ? { source: structuredClone(m.source) } : {}),
    }));
  }

  /**
   * Resolves when something may have become receivable: a message was added or re-timed, the earliest
   * invisible message's time came, the deadline passed, or the signal aborted.
   */
  waitForChange(deadline: number, now: number, signal: AbortSignal): Promise<void> {
    const nextVisible = Math.min(
      ...[...this.messages.values()].map((m) => m.visibleAt).filter((at) => at > now),
      deadline,
    );
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, nextVisible - now));
      this.waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** How many long-polling receives are waiting on this queue right now. */
  get waitingReceivers(): number {
    return this.waiters.size;
  }

  wakeWaiters(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private issueHandle(message: StoredMessage): void {
    if (message.receiptHandle) this.currentHandles.delete(message.receiptHandle);
    const handle = newReceiptHandle();
    message.receiptHandle = handle;
    this.issuedHandles.add(handle);
    this.currentHandles.set(handle, message.messageId);
  }

  /** A handle is valid only if it is the latest one for its message and NextVisibleTime has not passed. */
  private messageForHandle(receiptHandle: string, now: number): StoredMessage {
    if (!this.issuedHandles.has(receiptHandle)) {
      throw new MnsError(
        "ReceiptHandleError",
        `The receipt handle you provide is not valid: ${receiptHandle}.`,
      );
    }
    const messageId = this.currentHandles.get(receiptHandle);
    const message = messageId === undefined ? undefined : this.messages.get(messageId);
    if (!message || message.receiptHandle !== receiptHandle) {
      throw messageNotExist(
        "Message not exist: the receipt handle was superseded or its message was deleted.",
      );
    }
    if (message.visibleAt <= now) {
      throw messageNotExist(
        "Message not exist: the receipt handle expired at the message's NextVisibleTime.",
      );
    }
    return message;
  }
}

function statusOf(message: StoredMessage, now: number): MessageStatus {
  if (message.visibleAt <= now) return "active";
  return message.dequeueCount === 0 ? "delayed" : "inactive";
}
