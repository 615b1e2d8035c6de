import { checkIntegerRange, invalidArgument, MnsError, queueNotExist, topicNotExist } from "./errors.ts";
import { FailureInjector, type MnsOperation, type PendingFailure } from "./failures.ts";
import { newMessageId } from "./ids.ts";
import {
  checkBodySize,
  checkMessageTag,
  checkName,
  MAX_BATCH_BODY_BYTES,
  MAX_BATCH_MESSAGES,
  MAX_WAIT_SECONDS,
  QUEUE_DEFAULTS,
  queueAttributes,
  sameAttributes,
  TOPIC_DEFAULTS,
  type TopicAttributes,
  topicAttributes,
} from "./limits.ts";
import {
  EmulatedQueue,
  type QueueAttributes,
  type QueueMessageSnapshot,
  type StoredMessage,
} from "./queue.ts";
import type {
  MessageAttributes,
  PublishMessageInput,
  QueueAttributeInput,
  SendMessageInput,
  TopicAttributeInput,
} from "./request-bodies.ts";
import { messageBodyMd5 } from "./signature.ts";

export type { TopicAttributes } from "./limits.ts";

export interface QueueConfig extends QueueAttributeInput {
  name: string;
}

export interface TopicConfig extends TopicAttributeInput {
  name: string;
}

export interface SubscriptionConfig {
  topic: string;
  name: string;
  queue: string;
  filterTag?: string;
}

export interface InitialSetup {
  queues?: readonly QueueConfig[];
  topics?: readonly TopicConfig[];
  subscriptions?: readonly SubscriptionConfig[];
}

/** A published message, kept for inspection, with the queues it was pushed to. */
export interface TopicMessageRecord {
  messageId: string;
  body: string;
  bodyMd5: string;
  messageTag?: string;
  messageAttributes?: MessageAttributes;
  publishTime: number;
  deliveredTo: string[];
}

export interface QueueInfo {
  name: string;
  attributes: QueueAttributes;
  createTime: number;
  lastModifyTime: number;
  activeMessages: number;
  inactiveMessages: number;
  delayMessages: number;
  /** Long-polling receives waiting right now (lets tests send only once a receive is waiting). */
  waitingReceivers: number;
}

export interface TopicInfo {
  name: string;
  attributes: TopicAttributes;
  createTime: number;
  lastModifyTime: number;
  messageCount: number;
}

export interface SubscriptionInfo extends SubscriptionConfig {
  createTime: number;
}

interface Topic {
  name: string;
  attributes: TopicAttributes;
  createTime: number;
  lastModifyTime: number;
  messages: TopicMessageRecord[];
}

/** Everything the emulated account holds: queues, topics, subscriptions, and pending injected failures. */
export class MnsState {
  private queues = new Map<string, EmulatedQueue>();
  private topics = new Map<string, Topic>();
  private subscriptions: SubscriptionInfo[] = [];
  private readonly failures = new FailureInjector();
  private readonly shutdown = new AbortController();

  constructor(
    private readonly initial: InitialSetup = {},
    private readonly clock: () => number = Date.now,
  ) {
    this.applyInitialSetup();
  }

  now(): number {
    return this.clock();
  }

  /** Back to the configured queues, topics and subscriptions, all empty; pending failures dropped. */
  reset(): void {
    const waiting = [...this.queues.values()];
    this.queues = new Map();
    this.topics = new Map();
    this.subscriptions = [];
    this.failures.clear();
    this.applyInitialSetup();
    for (const queue of waiting) queue.wakeWaiters();
  }

  /** Ends every long poll in progress (they answer MessageNotExist); used when the server closes. */
  close(): void {
    this.shutdown.abort();
  }

  private applyInitialSetup(): void {
    for (const queue of this.initial.queues ?? []) this.createQueue(queue);
    for (const topic of this.initial.topics ?? []) this.createTopic(topic);
    for (const s of this.initial.subscriptions ?? []) this.subscribe(s.topic, s.name, s.queue, s.filterTag);
  }

  // ---- queues

  /** Creates a queue; `created: false` when it already exists with the same attributes (else QueueAlreadyExist). */
  createQueue(config: QueueConfig): { created: boolean } {
    checkName("Queue", config.name);
    const { name, ...input } = config;
    const attributes = queueAttributes(input, QUEUE_DEFAULTS);
    const existing = this.queues.get(name);
    if (existing) {
      if (sameAttributes(existing.attributes, attributes)) return { created: false };
      throw new MnsError("QueueAlreadyExist", `The queue ${name} already exists with different attributes.`);
    }
    this.queues.set(name, new EmulatedQueue(name, attributes, this.now()));
    return { created: true };
  }

  setQueueAttributes(name: string, input: QueueAttributeInput): void {
    const queue = this.requireQueue(name);
    queue.attributes = queueAttributes(input, queue.attributes);
    queue.lastModifyTime = this.now();
  }

  deleteQueue(name: string): void {
    const queue = this.requireQueue(name);
    this.queues.delete(name);
    queue.wakeWaiters();
  }

  queueInfo(name: string): QueueInfo {
    const queue = this.requireQueue(name);
    const counts = queue.counts(this.now());
    return {
      name,
      attributes: { ...queue.attributes },
      createTime: queue.createTime,
      lastModifyTime: queue.lastModifyTime,
      activeMessages: counts.active,
      inactiveMessages: counts.inactive,
      delayMessages: counts.delayed,
      waitingReceivers: queue.waitingReceivers,
    };
  }

  listQueues(): QueueInfo[] {
    return [...this.queues.keys()].map((name) => this.queueInfo(name));
  }

  /** All messages of the queue, invisible ones included, oldest first. */
  queueMessages(name: string): QueueMessageSnapshot[] {
    return this.requireQueue(name).snapshot(this.now());
  }

  purgeQueue(name: string): number {
    return this.requireQueue(name).purge();
  }

  // ---- topics and subscriptions

  createTopic(config: TopicConfig): { created: boolean } {
    checkName("Topic", config.name);
    const { name, ...input } = config;
    const attributes = topicAttributes(input, TOPIC_DEFAULTS);
    const existing = this.topics.get(name);
    if (existing) {
      if (sameAttributes(existing.attributes, attributes)) return { created: false };
      throw new MnsError("TopicAlreadyExist", `The topic ${name} already exists with different attributes.`);
    }
    const now = this.now();
    this.topics.set(name, { name, attributes, createTime: now, lastModifyTime: now, messages: [] });
    return { created: true };
  }

  setTopicAttributes(name: string, input: TopicAttributeInput): void {
    const topic = this.requireTopic(name);
    topic.attributes = topicAttributes(input, topic.attributes);
    topic.lastModifyTime = this.now();
  }

  deleteTopic(name: string): void {
    this.requireTopic(name);
    this.topics.delete(name);
    this.subscriptions = this.subscriptions.filter((s) => s.topic !== name);
  }

  topicInfo(name: string): TopicInfo {
    const topic = this.requireTopic(name);
    return {
      name,
      attributes: { ...topic.attributes },
      createTime: topic.createTime,
      lastModifyTime: topic.lastModifyTime,
      messageCount: topic.messages.length,
    };
  }

  listTopics(): TopicInfo[] {
    return [...this.topics.keys()].map((name) => this.topicInfo(name));
  }

  /** What was published to the topic, oldest first. */
  topicMessages(name: string): TopicMessageRecord[] {
    return structuredClone(this.requireTopic(name).messages);
  }

  /** Subscribes a queue to a topic; with `filterTag`, only messages whose MessageTag equals it are pushed. */
  subscribe(topic: string, name: string, queue: string, filterTag?: string): { created: boolean } {
    this.requireTopic(topic);
    this.requireQueue(queue);
    checkName("Subscription", name);
    if (filterTag !== undefined) checkMessageTag(filterTag, "FilterTag");
    const wanted = { topic, name, queue, ...(filterTag === undefined ? {} : { filterTag }) };
    const existing = this.subscriptions.find((s) => s.topic === topic && s.name === name);
    if (existing) {
      const { createTime: _createTime, ...current } = existing;
      if (sameAttributes(current, wanted)) return { created: false };
      throw new MnsError(
        "SubscriptionAlreadyExist",
        `Subscription ${name} of topic ${topic} already exists differently.`,
      );
    }
    this.subscriptions.push({ ...wanted, createTime: this.now() });
    return { created: true };
  }

  unsubscribe(topic: string, name: string): void {
    const before = this.subscriptions.length;
    this.subscriptions = this.subscriptions.filter((s) => !(s.topic === topic && s.name === name));
    if (this.subscriptions.length === before) {
      throw new MnsError("SubscriptionNotExist", `Topic ${topic} has no subscription ${name}.`);
    }
  }

  listSubscriptions(topic?: string): SubscriptionInfo[] {
    return this.subscriptions.filter((s) => topic === undefined || s.topic === topic).map((s) => ({ ...s }));
  }

  // ---- messages

  sendMessage(queueName: string, input: SendMessageInput): StoredMessage {
    const [message] = this.sendMessages(queueName, [input]);
    if (!message) throw new Error("unreachable: one input gives one message");
    return message;
  }

  /** Validates the whole batch first, so a batch is stored entirely or not at all. */
  sendMessages(queueName: string, inputs: readonly SendMessageInput[]): StoredMessage[] {
    const queue = this.requireQueue(queueName);
    let totalBytes = 0;
    inputs.forEach((input, index) => {
      const field = inputs.length > 1 ? `MessageBody of message ${index + 1}` : "MessageBody";
      totalBytes += checkBodySize(input.body, queue.attributes.maximumMessageSize, field);
      if (input.delaySeconds !== undefined)
        checkIntegerRange("DelaySeconds", input.delaySeconds, 0, 604800, "seconds");
      if (input.priority !== undefined) checkIntegerRange("Priority", input.priority, 1, 16);
    });
    if (inputs.length > 1 && totalBytes > MAX_BATCH_BODY_BYTES) {
      throw invalidArgument(
        `The total size of a batch should be at most ${MAX_BATCH_BODY_BYTES} bytes; got ${totalBytes}.`,
      );
    }
    const now = this.now();
    return inputs.map((input) => queue.enqueue(input, now));
  }

  /** Publishes to a topic and pushes the body to every subscribed queue whose filter tag matches. */
  publishMessage(topicName: string, input: PublishMessageInput): TopicMessageRecord {
    const topic = this.requireTopic(topicName);
    checkBodySize(input.body, topic.attributes.maximumMessageSize);
    if (input.messageTag !== undefined) checkMessageTag(input.messageTag, "MessageTag");
    const record: TopicMessageRecord = {
      messageId: newMessageId(),
      body: input.body,
      bodyMd5: messageBodyMd5(input.body),
      ...(input.messageTag === undefined ? {} : { messageTag: input.messageTag }),
      ...(input.messageAttributes === undefined ? {} : { messageAttributes: input.messageAttributes }),
      publishTime: this.now(),
      deliveredTo: [],
    };
    for (const subscription of this.subscriptions) {
      if (subscription.topic !== topicName) continue;
      if (subscription.filterTag !== undefined && subscription.filterTag !== input.messageTag) continue;
      const queue = this.queues.get(subscription.queue);
      if (!queue) continue;
      queue.enqueue(
        {
          body: input.body,
          source: {
            topic: topicName,
            subscription: subscription.name,
            topicMessageId: record.messageId,
            ...(input.messageTag === undefined ? {} : { messageTag: input.messageTag }),
            ...(input.messageAttributes === undefined
              ? {}
              : { messageAttributes: structuredClone(input.messageAttributes) }),
          },
        },
        record.publishTime,
      );
      record.deliveredTo.push(subscription.queue);
    }
    topic.messages.push(record);
    return structuredClone(record);
  }

  /**
   * Long polling: waits until at least one message is active, `waitSeconds` pass, the request is
   * aborted, or the emulator closes. Returns [] when nothing came (the caller answers MessageNotExist).
   */
  async receiveMessages(
    queueName: string,
    max: number,
    waitSeconds: number,
    requestSignal: AbortSignal,
  ): Promise<StoredMessage[]> {
    checkIntegerRange("numOfMessages", max, 1, MAX_BATCH_MESSAGES);
    checkIntegerRange("waitseconds", waitSeconds, 0, MAX_WAIT_SECONDS, "seconds");
    const signal = AbortSignal.any([requestSignal, this.shutdown.signal]);
    const deadline = this.now() + waitSeconds * 1000;
    for (;;) {
      const queue = this.requireQueue(queueName);
      if (signal.aborted) return [];
      const now = this.now();
      const received = queue.receive(max, now);
      if (received.length > 0 || now >= deadline) return received;
      await queue.waitForChange(deadline, now, signal);
    }
  }

  peekMessages(queueName: string, max: number): StoredMessage[] {
    checkIntegerRange("numOfMessages", max, 1, MAX_BATCH_MESSAGES);
    return this.requireQueue(queueName).peek(max, this.now());
  }

  deleteMessage(queueName: string, receiptHandle: string): void {
    this.requireQueue(queueName).deleteMessage(receiptHandle, this.now());
  }

  changeMessageVisibility(
    queueName: string,
    receiptHandle: string,
    visibilityTimeoutSeconds: number,
  ): StoredMessage {
    checkIntegerRange("VisibilityTimeout", visibilityTimeoutSeconds, 1, 43200, "seconds");
    return this.requireQueue(queueName).changeVisibility(receiptHandle, visibilityTimeoutSeconds, this.now());
  }

  // ---- injected failures

  /** The next `count` calls of `operation` answer with MNS error `code` (default InternalError, 500). */
  failNext(operation: string, count: number, code?: string): PendingFailure {
    return this.failures.failNext(operation, count, code);
  }

  pendingFailures(): PendingFailure[] {
    return this.failures.list();
  }

  takeInjectedFailure(operation: MnsOperation): MnsError | undefined {
    return this.failures.take(operation);
  }

  // ---- lookups

  private requireQueue(name: string): EmulatedQueue {
    const queue = this.queues.get(name);
    if (!queue) throw queueNotExist(name);
    return queue;
  }

  private requireTopic(name: string): Topic {
    const topic = this.topics.get(name);
    if (!topic) throw topicNotExist(name);
    return topic;
  }
}
