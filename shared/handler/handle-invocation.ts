/**
 * The plain core of the function: one FC invocation in, one answer out.
 * HTTP-trigger invocations get an HTTP response struct; every other door gets a batch result, and
 * the invocation fails (so the platform delivers again) when any event was handed back.
 */
import type { DeadLetterPublisher } from "../dead-letter/publisher.ts";
import { acknowledgeFast } from "../door/fast-ack.ts";
import { callWithinQuota } from "../eiam/quota.ts";
import type { EiamCredentials } from "../eiam/types.ts";
import { mapWithConcurrency } from "../pipeline/concurrency.ts";
import { identityOfBytes } from "../pipeline/dead-letter-memory.ts";
import { DEAD_LETTER_BUSY, deadLetterOnce } from "../pipeline/dead-letters.ts";
import type { PipelineDeps } from "../pipeline/deps.ts";
import type { Invocation } from "../pipeline/invocation.ts";
import {
  type EventOutcome,
  type FailurePolicy,
  type OutcomeSummary,
  summarize,
} from "../pipeline/outcome.ts";
import { processDeliveries } from "../pipeline/process.ts";
import { UserResolver } from "../resolve/user-resolver.ts";
import { serveScim } from "../scim/serve.ts";
import type { Delivery, Undecodable } from "../triggers/delivery.ts";
import { decodeInvocation, UnknownEventShapeError } from "../triggers/detect.ts";
import type { FcContext } from "./fc-context.ts";
import { type HttpResponse, outcomesResponse } from "./http-response.ts";
import { parseRedrive, RetainedDeadLetter, redriveInput } from "./redrive.ts";
import type { Runtime } from "./runtime.ts";

export interface BatchResult {
  results: EventOutcome[];
  summary: OutcomeSummary;
}

/** Thrown after a batch is processed when some events were handed back: the platform must deliver again. */
export class DeferredEventsError extends Error {
  override readonly name = "DeferredEventsError";
  constructor(readonly result: BatchResult) {
    super(`${result.summary.deferred} event(s) deferred: the platform will deliver them again`);
  }
}

export class MissingCredentialsError extends Error {
  override readonly name = "MissingCredentialsError";
}

function credentialsFor(context: FcContext, runtime: Runtime): EiamCredentials {
  const c = context.credentials;
  if (c?.accessKeyId && c.accessKeySecret) {
    return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken };
  }
  if (runtime.config.envCredentials) return runtime.config.envCredentials;
  throw new MissingCredentialsError(
    "no credentials: give the function a role (context.credentials) or set ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET",
  );
}

const resolvers = new WeakMap<object, UserResolver>();

function depsFor(
  context: FcContext,
  runtime: Runtime,
  redrive?: { retainIn?: DeadLetterPublisher },
): PipelineDeps {
  const credentials = credentialsFor(context, runtime);
  const eiam = runtime.pool.get(credentials);
  let resolver = resolvers.get(eiam);
  if (resolver === undefined) {
    resolver = new UserResolver(
      (filter, page, deadlineMs) =>
        callWithinQuota(runtime.limiter, deadlineMs, runtime.now, (timeoutMs) =>
          eiam.listUsers(filter, page, { timeoutMs }),
        ),
      runtime.config.userLookupCacheSeconds * 1000,
      runtime.now,
    );
    resolvers.set(eiam, resolver);
  }
  return {
    eiam,
    resolver,
    store: runtime.store,
    limiter: runtime.limiter,
    deadLetters: redrive?.retainIn ?? runtime.deadLetters(credentials),
    logger: runtime.logger,
    retry: runtime.config.eiam.retry,
    maxConcurrency: runtime.config.eiam.maxConcurrency,
    recordTtlSeconds: runtime.config.idempotency.ttlSeconds,
    now: runtime.now,
    recallDeadLetters: redrive === undefined,
  };
}

export function invocationFor(context: FcContext, runtime: Runtime, startedAt: number): Invocation {
  const timeoutMs = (context.function?.timeout ?? 60) * 1000;
  return {
    fcRequestId: context.requestId ?? `local-${startedAt}`,
    functionName: context.function?.name,
    startedAt,
    deadlineMs: startedAt + Math.max(timeoutMs - runtime.config.deadlineMarginMs, timeoutMs / 2),
    timeoutAtMs: startedAt + timeoutMs,
  };
}

function logOutcomes(runtime: Runtime, inv: Invocation, outcomes: readonly EventOutcome[]) {
  for (const o of outcomes) {
    const fields = {
      fcRequestId: inv.fcRequestId,
      status: o.status,
      eventId: o.eventId,
      deliveryId: o.deliveryId,
      userId: o.userId,
      eiamRequestId: o.eiamRequestId,
      fields: o.fields,
      deadLetterId: o.deadLetterId,
      attempts: o.attempts,
      error: o.error && {
        stage: o.error.stage,
        code: o.error.code,
        message: o.error.message,
        retryable: o.error.retryable,
      },
    };
    if (o.status === "dead_lettered" || o.status === "deferred") runtime.logger.warn("event outcome", fields);
    else runtime.logger.info("event outcome", fields);
  }
}

/** The door decides (route, handshake, authentication, decryption, format); the pipeline applies what entered. */
async function handleHttp(
  delivery: Delivery,
  context: FcContext,
  runtime: Runtime,
  inv: Invocation,
): Promise<{ response: HttpResponse; outcomes: EventOutcome[] }> {
  const entry = runtime.door.open(delivery, runtime.now(), inv.fcRequestId);
  if (entry.kind === "answer") return { response: entry.response, outcomes: [] };
  if (entry.route.traits.format === "scim")
    return serveScim(entry.delivery, { prepare: runtime.prepare, deps: depsFor(context, runtime), inv });
  if (entry.route.ack === "enqueue" && runtime.sourceQueue) {
    const queue = runtime.sourceQueue(credentialsFor(context, runtime));
    const ack = await acknowledgeFast(
      entry.delivery,
      runtime.prepare,
      queue,
      runtime.logger,
      inv.fcRequestId,
    );
    if (ack.kind === "answered") return { response: ack.response, outcomes: [] };
  }
  const policy: FailurePolicy = { retryableExhausted: "defer" };
  const outcomes = await processDeliveries(
    [entry.delivery],
    runtime.prepare,
    depsFor(context, runtime),
    inv,
    policy,
  );
  return { response: outcomesResponse(outcomes), outcomes };
}

/** A message that could not be decoded: dead-lettered alone (once, however often it is delivered again). */
async function deadLetterUndecodable(
  item: Undecodable,
  deps: PipelineDeps,
  inv: Invocation,
): Promise<EventOutcome> {
  const delivery: Delivery = {
    trigger: item.trigger,
    deliveryId: item.deliveryId,
    receivedAt: item.receivedAt,
    body: item.bytes,
    headers: {},
    original: item.original,
  };
  const outcomeError = {
    stage: "decode" as const,
    code: "UnknownEventShape",
    message: item.error.message,
    retryable: false,
  };
  const result = await deadLetterOnce(
    identityOfBytes(delivery.deliveryId, item.bytes),
    { delivery, error: outcomeError, attempts: 0 },
    deps,
    inv,
  );
  if (result.kind === "busy")
    return { status: "deferred", deliveryId: delivery.deliveryId, error: DEAD_LETTER_BUSY };
  if (result.kind === "duplicate") {
    return { status: "duplicate", deliveryId: delivery.deliveryId, deadLetterId: result.deadLetterId };
  }
  return {
    status: "dead_lettered",
    deliveryId: delivery.deliveryId,
    deadLetterId: result.deadLetterId,
    error: outcomeError,
  };
}

async function route(
  event: Buffer,
  context: FcContext,
  runtime: Runtime,
  inv: Invocation,
): Promise<{ answer: HttpResponse | BatchResult; outcomes: EventOutcome[] }> {
  const decodeOptions = {
    mnsBodyEncoding: runtime.config.mnsBodyEncoding,
    acceptAnyJsonAsDirect: runtime.prepare.format !== undefined || runtime.prepare.mapping !== undefined,
  };
  const batch = (outcomes: EventOutcome[]) => ({
    answer: { results: outcomes, summary: summarize(outcomes) },
    outcomes,
  });

  // A redrive (authenticated by FC's invoke API) runs the original delivery again. A failure again stays in
  // the message it came from (synchronous redrive), or is dead-lettered anew when the caller already let that
  // message go (asynchronous redrive).
  const redrive = parseRedrive(event);
  const input = redrive ? redriveInput(redrive) : { bytes: event, receivedAt: inv.startedAt };
  const redriveDeps = () =>
    depsFor(context, runtime, {
      retainIn: redrive?.onFailure === "retain" ? new RetainedDeadLetter(redrive.deadLetterId) : undefined,
    });
  const deps = () => (redrive ? redriveDeps() : depsFor(context, runtime));

  let decoded: ReturnType<typeof decodeInvocation>;
  try {
    decoded = decodeInvocation(input.bytes, input.receivedAt, decodeOptions);
  } catch (err) {
    if (!(err instanceof UnknownEventShapeError)) throw err;
    // The whole invocation is one message we cannot read: its bytes are kept as they came.
    const whole: Undecodable = {
      trigger: "direct",
      deliveryId: inv.fcRequestId,
      receivedAt: inv.startedAt,
      original: input.bytes,
      bytes: input.bytes,
      error: err,
    };
    return batch([await deadLetterUndecodable(whole, deps(), inv)]);
  }
  const undecodable = async () =>
    decoded.kind === "batch" && decoded.undecodable
      ? mapWithConcurrency(decoded.undecodable, runtime.config.eiam.maxConcurrency, (item) =>
          deadLetterUndecodable(item, deps(), inv),
        )
      : [];
  if (redrive) {
    const deliveries =
      decoded.kind === "http" ? [runtime.door.traitsFor(decoded.delivery)] : decoded.deliveries;
    const processed = await processDeliveries(deliveries, runtime.prepare, deps(), inv, {
      retryableExhausted: "defer",
    });
    return batch([...(await undecodable()), ...processed]);
  }
  if (decoded.kind === "http") {
    const http = await handleHttp(decoded.delivery, context, runtime, inv);
    return { answer: http.response, outcomes: http.outcomes };
  }
  const policy: FailurePolicy = { retryableExhausted: "dead-letter" };
  const processed = await processDeliveries(decoded.deliveries, runtime.prepare, deps(), inv, policy);
  return batch([...(await undecodable()), ...processed]);
}

export async function handleInvocation(
  event: Buffer,
  context: FcContext,
  runtime: Runtime,
  startedAt: number,
): Promise<HttpResponse | BatchResult> {
  const inv = invocationFor(context, runtime, startedAt);
  const { answer, outcomes } = await route(event, context, runtime, inv);
  logOutcomes(runtime, inv, outcomes);
  runtime.logger.info("invocation summary", {
    fcRequestId: inv.fcRequestId,
    events: outcomes.length,
    ...summarize(outcomes),
    durationMs: runtime.now() - startedAt,
  });
  if ("results" in answer && answer.summary.deferred > 0) throw new DeferredEventsError(answer);
  return answer;
}
