/**
 * `ScimBackend.apply` on the real pipeline: a SCIM intent becomes one canonical v1 event, applied synchronously
 * like any HTTP delivery (the `defer` policy: a change EIAM could not take now is answered 503, not dead-lettered).
 */
import type { PipelineDeps } from "../pipeline/deps.ts";
import type { Invocation } from "../pipeline/invocation.ts";
import type { EventOutcome } from "../pipeline/outcome.ts";
import type { PrepareOptions } from "../pipeline/prepare.ts";
import { processDeliveries } from "../pipeline/process.ts";
import type { Delivery } from "../triggers/delivery.ts";
import type { ScimIntent } from "./types.ts";

/** The canonical v1 event of an intent: its id is the delivery id, its time the receipt time. */
export function canonicalEventOf(intent: ScimIntent): Record<string, unknown> {
  const status = intent.action === "delete" ? "deleted" : intent.status;
  return {
    id: intent.eventId,
    source: intent.source,
    occurredAt: intent.occurredAt,
    user: intent.user,
    changes: { ...intent.changes, ...(status === undefined ? {} : { status }) },
  };
}

/**
 * A POST /Users asks for a user that does not exist yet: it is created whatever UNKNOWN_USER says, because the
 * SCIM client asked for exactly that. Every other write keeps the deployment's setting.
 */
function optionsFor(intent: ScimIntent, prepare: PrepareOptions): PrepareOptions {
  if (intent.action !== "create") return prepare;
  return { ...prepare, lifecycle: { ...prepare.lifecycle, unknownUser: "create" } };
}

export interface PipelineApplyContext {
  prepare: PrepareOptions;
  deps: PipelineDeps;
  inv: Invocation;
  /** The SCIM request as it came (method, path, query; never its headers): for logs and dead-letter records. */
  http: NonNullable<Delivery["http"]>;
  receivedAt: number;
  routePath: string;
}

export function pipelineApply(context: PipelineApplyContext): (intent: ScimIntent) => Promise<EventOutcome> {
  return async (intent) => {
    const event = canonicalEventOf(intent);
    // The dead-letter record keeps the canonical event (not the SCIM body): a redrive applies exactly it.
    const delivery: Delivery = {
      trigger: "http",
      deliveryId: intent.eventId,
      receivedAt: context.receivedAt,
      body: Buffer.from(JSON.stringify(event)),
      headers: {},
      http: context.http,
      route: { path: context.routePath, format: "canonical", source: intent.source },
      original: event,
    };
    const [outcome] = await processDeliveries(
      [delivery],
      optionsFor(intent, context.prepare),
      context.deps,
      context.inv,
      { retryableExhausted: "defer" },
    );
    return outcome!;
  };
}
