/**
 * Drives a chaos plan through the real handler the way the platform would: batches of MNS CloudEvents to a few
 * concurrent instances, each batch whose invocation threw delivered again after a pause, some batches run in a
 * child process that is SIGKILLed mid-work and then delivered to a fresh process, and finally every dead letter
 * whose failure was retryable redriven through the invoke API. Webhook deliveries go through the HTTP trigger,
 * signed by the `standardwebhooks` package like an honest sender; a 5xx answer (or an invocation that failed)
 * is sent again with the same `webhook-id`, as Standard Webhooks senders do. It records every answer it saw.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Webhook } from "standardwebhooks";
import type { EiamEmulator } from "../../../local/eiam-emulator/server.ts";
import type { MnsEmulator } from "../../../local/mns-emulator/server.ts";
import { DeferredEventsError, handleInvocation } from "../../../shared/handler/handle-invocation.ts";
import { redriveEnvelope } from "../../../shared/handler/redrive.ts";
import type { Runtime } from "../../../shared/handler/runtime.ts";
import type { EventOutcome } from "../../../shared/pipeline/outcome.ts";
import { httpTriggerEvent } from "../../helpers/fc-events.ts";
import type { ChaosPlan, PlannedMessage } from "./chaos-plan.ts";
import { invokeStep, startChild } from "./child-plan.ts";
import { publishedDeadLetters } from "./dead-letter-topic.ts";
import { mnsQueueBatch } from "./mns-cloud-events.ts";
import type { Random } from "./seeded-random.ts";

/** instance: this process; child: a separate process (one that was not killed); redrive: the invoke API. */
export type Where = "instance" | "child" | "redrive";

export interface SeenAnswer {
  batch: number;
  where: Where;
  /** True when the invocation returned: the platform takes this answer and delivers the batch no more. */
  final: boolean;
  /** Event key of each outcome, in order. */
  keys: string[];
  outcomes: EventOutcome[];
}

export interface ChaosRun {
  answers: SeenAnswer[];
  killedBatches: Set<number>;
  /** What should never happen: a batch never finished, a child died unasked, an HTTP answer of the wrong kind. */
  unexpectedErrors: string[];
  /**
   * Invocations that failed with something other than DeferredEventsError ("Name: message"). The platform
   * delivers those again; they are expected only while Redis or MNS is broken on purpose.
   */
  failedInvocations: string[];
  /** Batches with a failed invocation: events it settled before failing are answered `duplicate` later. */
  failedBatches: Set<number>;
  /** Every stdout and stderr line the child processes wrote. */
  childOutput: string[];
  /** How each child process ended: killed, answered, deferred, failed, no-answer. */
  childRuns: string[];
  deliveriesPerBatch: number[];
  redriven: number;
  durationMs: number;
}

export interface ChaosRunOptions {
  plan: ChaosPlan;
  runtime: Runtime;
  eiam: EiamEmulator;
  mns: MnsEmulator;
  deadLetterTopic: string;
  /** Environment of the child processes (the function's configuration). */
  childEnv: Record<string, string>;
  instanceContext: () => Record<string, unknown>;
  childContext: () => Record<string, unknown>;
  /** The access key id the children sign with, to spot their requests in the emulator's log. */
  childAccessKeyId: string;
  /** Lets the run SIGKILL a child from inside the EIAM emulator's per-request log callback. */
  setEiamLogHook: (hook: ((line: string) => void) | undefined) => void;
  kills: number;
  instances: number;
  rnd: Random;
  maxDeliveriesPerBatch: number;
  /** How webhook deliveries are signed, and headers a sender or proxy adds (Authorization, Cookie). */
  webhook?: { secret: string; extraHeaders: Record<string, string> };
  /** Called when every batch has its final answer, before the redrive (e.g. to stop injected faults). */
  beforeRedrive?: () => Promise<void> | void;
}

const REDELIVERY_PAUSE_MS = 150;

export async function runChaos(o: ChaosRunOptions): Promise<ChaosRun> {
  const started = Date.now();
  const run: ChaosRun = {
    answers: [],
    killedBatches: new Set(),
    unexpectedErrors: [],
    failedInvocations: [],
    failedBatches: new Set(),
    childOutput: [],
    childRuns: [],
    deliveriesPerBatch: o.plan.batches.map(() => 0),
    redriven: 0,
    durationMs: 0,
  };
  const keysOf = (batch: number) => (o.plan.batches[batch] as PlannedMessage[]).map((m) => m.eventKey);
  const eventOf = (batch: number) => mnsQueueBatch(o.plan.batches[batch] as PlannedMessage[]);
  const isWebhook = (batch: number) => o.plan.batches[batch]![0]!.route === "webhook";

  const queue: number[] = [];
  let open = o.plan.batches.length;
  const deliverLater = (batch: number) => {
    if (run.deliveriesPerBatch[batch]! >= o.maxDeliveriesPerBatch) {
      run.unexpectedErrors.push(
        `batch ${batch} still unfinished after ${o.maxDeliveriesPerBatch} deliveries`,
      );
      open -= 1;
      return;
    }
    setTimeout(() => queue.push(batch), REDELIVERY_PAUSE_MS + o.rnd.int(0, REDELIVERY_PAUSE_MS));
  };
  const record = (batch: number, where: Where, final: boolean, outcomes: EventOutcome[]) => {
    run.answers.push({ batch, where, final, keys: keysOf(batch), outcomes });
    if (final) open -= 1;
    else deliverLater(batch);
  };

  // The batches that may be killed are the first ones with several valid events, so the child has work to do.
  // A child can end before its planned kill (a batch that failed while Redis was away, or needed no
  // UpdateUser): the next candidate is tried until the kills are done; the rest go to the instances.
  const killable = o.plan.batches
    .map((messages, index) => ({ index, valid: messages.filter((m) => m.copy === "none").length }))
    .filter((b) => b.valid >= 4)
    .slice(0, o.kills * 3)
    .map((b) => b.index);
  const killSet = new Set(killable);
  queue.push(...o.plan.batches.map((_, i) => i).filter((i) => !killSet.has(i)));

  async function inInstance(batch: number) {
    run.deliveriesPerBatch[batch]! += 1;
    try {
      if (isWebhook(batch)) return await webhookInInstance(batch);
      const answer = await handleInvocation(eventOf(batch), o.instanceContext(), o.runtime, Date.now());
      if (!("results" in answer)) throw new Error("an MNS batch got an HTTP answer");
      record(batch, "instance", true, answer.results);
    } catch (err) {
      if (err instanceof DeferredEventsError) record(batch, "instance", false, err.result.results);
      else {
        run.failedInvocations.push(`${(err as Error).name}: ${(err as Error).message}`);
        run.failedBatches.add(batch);
        deliverLater(batch);
      }
    }
  }

  /** One signed delivery; 503 and failed invocations are sent again, every other answer is final. */
  async function webhookInInstance(batch: number) {
    const message = o.plan.batches[batch]![0]!;
    if (o.webhook === undefined) throw new Error("a webhook route needs the webhook option");
    const sentAt = new Date();
    const signature = new Webhook(o.webhook.secret).sign(message.messageId, sentAt, message.body);
    const event = httpTriggerEvent(message.body, {
      headers: {
        ...o.webhook.extraHeaders,
        "webhook-id": message.messageId,
        "webhook-timestamp": String(Math.floor(sentAt.getTime() / 1000)),
        "webhook-signature": signature,
      },
    });
    const answer = await handleInvocation(event, o.instanceContext(), o.runtime, Date.now());
    if (!("statusCode" in answer)) throw new Error("a webhook got a batch answer");
    if (![200, 400, 422, 503].includes(answer.statusCode)) {
      run.unexpectedErrors.push(`webhook batch ${batch}: HTTP ${answer.statusCode} ${answer.body}`);
      open -= 1;
      return;
    }
    record(batch, "instance", answer.statusCode !== 503, [JSON.parse(answer.body) as EventOutcome]);
  }

  /** A call that changes a user: the child is killed at its 1st or 2nd, whichever operation of an event it is. */
  const WRITE_ACTION =
    / (UpdateUser|EnableUser|DisableUser|SetUserPrimaryOrganizationalUnit|AddUserToOrganizationalUnits|RemoveUserFromOrganizationalUnits) /;

  async function inChild(batch: number, killAtUpdate: number | undefined): Promise<boolean> {
    run.deliveriesPerBatch[batch]! += 1;
    let updates = 0;
    const child = startChild([invokeStep(eventOf(batch), o.childContext())], o.childEnv);
    if (killAtUpdate !== undefined) {
      // Called synchronously when the emulator has handled a request and before it answers: the change is
      // made, the child never hears of it.
      o.setEiamLogHook((line) => {
        if (WRITE_ACTION.test(line) && line.includes(`key=${o.childAccessKeyId} `)) {
          updates += 1;
          if (updates === killAtUpdate) child.kill();
        }
      });
    }
    const result = await child.done;
    o.setEiamLogHook(undefined);
    run.childOutput.push(...`${result.stdout}\n${result.stderr}`.split("\n").filter((l) => l !== ""));
    if (result.signal === "SIGKILL") {
      run.killedBatches.add(batch);
      run.childRuns.push("killed");
      return true;
    }
    const answer = result.answers[0];
    run.childRuns.push(
      answer === undefined
        ? "no-answer"
        : answer.ok
          ? `answered after ${updates} UpdateUser`
          : answer.error.name === "DeferredEventsError"
            ? "deferred"
            : `failed: ${String(answer.error.name)}`,
    );
    if (answer === undefined) {
      run.unexpectedErrors.push(
        `batch ${batch}: child exited ${result.code} without an answer: ${result.stderr}`,
      );
      deliverLater(batch);
    } else if (answer.ok) {
      record(batch, "child", true, (answer.answer as { results: EventOutcome[] }).results);
    } else if (answer.error.name === "DeferredEventsError") {
      record(batch, "child", false, (answer.error.result as { results: EventOutcome[] }).results);
    } else {
      run.failedInvocations.push(`${String(answer.error.name)}: ${String(answer.error.message)}`);
      run.failedBatches.add(batch);
      deliverLater(batch);
    }
    return false;
  }

  async function killer() {
    for (const batch of killable) {
      if (run.killedBatches.size >= o.kills) {
        queue.push(batch);
        continue;
      }
      const killed = await inChild(batch, o.rnd.int(1, 2));
      // Delivered again to a fresh process; after that, to any instance.
      if (killed) await inChild(batch, undefined);
    }
  }

  async function instance() {
    while (open > 0) {
      const batch = queue.shift();
      if (batch === undefined) await sleep(10);
      else await inInstance(batch);
    }
  }

  await Promise.all([killer(), ...Array.from({ length: o.instances }, instance)]);
  await o.beforeRedrive?.();
  await redriveRetryable(o, run);
  run.durationMs = Date.now() - started;
  return run;
}

/** What an operator does with dead letters whose failure was temporary: hand them back through the invoke API. */
async function redriveRetryable(o: ChaosRunOptions, run: ChaosRun) {
  const retryable = publishedDeadLetters(o.mns, o.deadLetterTopic).filter((d) => d.record.error.retryable);
  for (const { messageId, record } of retryable) {
    const key = record.eventId ?? record.delivery.deliveryId;
    const event = Buffer.from(JSON.stringify(redriveEnvelope(messageId, record)));
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await handleInvocation(event, o.instanceContext(), o.runtime, Date.now());
        if (!("results" in answer)) throw new Error("a redrive got an HTTP answer");
        run.answers.push({ batch: -1, where: "redrive", final: true, keys: [key], outcomes: answer.results });
        break;
      } catch (err) {
        if (!(err instanceof DeferredEventsError) || attempt >= o.maxDeliveriesPerBatch) {
          run.unexpectedErrors.push(`redrive of ${messageId}: ${(err as Error).message}`);
          break;
        }
        run.answers.push({
          batch: -1,
          where: "redrive",
          final: false,
          keys: [key],
          outcomes: err.result.results,
        });
        await sleep(REDELIVERY_PAUSE_MS);
      }
    }
    run.redriven += 1;
  }
}
