/**
 * The CloudEvents 1.0 HTTP binding, whose `data` holds the canonical event:
 * - binary mode: the attributes in `ce-*` headers, the body is `data`;
 * - structured mode: `application/cloudevents+json`, one event as JSON;
 * - batched mode: `application/cloudevents-batch+json`, a JSON array of structured events.
 * The envelope supplies what `data` lacks (id, source, time → occurredAt), see canonical.ts.
 */
import type { Problem } from "../change.ts";
import type { Delivery } from "../triggers/delivery.ts";
import { fromCloudEvent } from "./canonical.ts";
import type { JsonValue } from "./safe-json.ts";
import { type CanonicalCandidate, isObject, problem } from "./types.ts";

export const CLOUDEVENTS_BATCH = "application/cloudevents-batch+json";
export const CLOUDEVENTS_STRUCTURED = "application/cloudevents+json";

export type CloudEventsResult =
  | { ok: true; events: CanonicalCandidate[] }
  | { ok: false; problems: Problem[] };

export interface CloudEventsOptions {
  maxDepth: number;
  /** Take the receipt time for an event without `time` (and no `occurredAt` in its data); else refuse it. */
  receiptTimeWhenNoTime?: boolean;
}

const REQUIRED = ["id", "source", "type"] as const;
/** Attribute names are lower-case letters and digits (CloudEvents 1.0 §3.1.1); anything else is not one. */
const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;
const MAX_ATTRIBUTES = 32;

export function mediaTypeOf(delivery: Delivery): string {
  return (delivery.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Binary mode: the request carries `ce-specversion`. */
export function isBinaryMode(delivery: Delivery): boolean {
  return delivery.headers["ce-specversion"] !== undefined;
}

/** Header values are percent-encoded where they hold non-ASCII, `"` or `%` (HTTP binding §3.1.3.2). */
function percentDecoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The envelope of a binary-mode request: the `ce-*` headers, and the body as `data`. */
function binaryEnvelope(delivery: Delivery, data: JsonValue): Record<string, unknown> {
  const envelope: Record<string, unknown> = {};
  let count = 0;
  for (const [name, value] of Object.entries(delivery.headers)) {
    if (!name.startsWith("ce-")) continue;
    const attribute = name.slice(3);
    if (!ATTRIBUTE_NAME.test(attribute) || ++count > MAX_ATTRIBUTES) continue;
    envelope[attribute] = percentDecoded(value.trim());
  }
  const type = mediaTypeOf(delivery);
  if (type !== "") envelope.datacontenttype = type;
  envelope.data = data;
  return envelope;
}

function at(prefix: string, field: string): string {
  return prefix === "" ? field : `${prefix}.${field}`;
}

function oneEvent(
  envelope: unknown,
  path: string,
  delivery: Delivery,
  options: CloudEventsOptions,
  binary: boolean,
): { ok: true; value: CanonicalCandidate } | { ok: false; problems: Problem[] } {
  const where = (attribute: string) => at(path, attribute);
  const header = (attribute: string) => (binary ? ` (binary mode: the ce-${attribute} header)` : "");
  if (!isObject(envelope)) {
    return { ok: false, problems: [problem(path, "invalid_type", "a CloudEvent must be a JSON object")] };
  }
  const problems: Problem[] = [];
  if (envelope.specversion === undefined) {
    problems.push(
      problem(
        where("specversion"),
        "required",
        `is required: this is not a CloudEvent${header("specversion")}`,
      ),
    );
  }
  for (const attribute of REQUIRED) {
    const value = envelope[attribute];
    if (typeof value !== "string" || value.trim() === "") {
      problems.push(
        problem(where(attribute), "required", `is required by CloudEvents 1.0${header(attribute)}`),
      );
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const converted = fromCloudEvent(envelope, path, options.maxDepth);
  if (!converted.ok) return { ok: false, problems: [converted.problem] };
  const candidate = converted.value;
  if (candidate.occurredAt === undefined) {
    if (!options.receiptTimeWhenNoTime) {
      const message =
        `is required${header("time")}: the event's time orders the changes to one user ` +
        "(or give data.occurredAt; a route may opt into the receipt time with missingTime: receipt-time)";
      return { ok: false, problems: [problem(where("time"), "required", message)] };
    }
    candidate.occurredAt = new Date(delivery.receivedAt).toISOString();
  }
  return { ok: true, value: candidate };
}

/** Any of the three modes, chosen by the `ce-specversion` header and the Content-Type. */
export function parseCloudEvents(
  value: JsonValue,
  delivery: Delivery,
  options: CloudEventsOptions,
): CloudEventsResult {
  if (isBinaryMode(delivery)) {
    const one = oneEvent(binaryEnvelope(delivery, value), "", delivery, options, true);
    return one.ok ? { ok: true, events: [one.value] } : one;
  }
  const batch = mediaTypeOf(delivery) === CLOUDEVENTS_BATCH;
  if (batch && !Array.isArray(value)) {
    const message = `${CLOUDEVENTS_BATCH} must be a JSON array of CloudEvents`;
    return { ok: false, problems: [problem("", "invalid_type", message)] };
  }
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) {
    return { ok: false, problems: [problem("", "empty_batch", "the batch holds no events")] };
  }
  const events: CanonicalCandidate[] = [];
  const problems: Problem[] = [];
  items.forEach((item, index) => {
    const one = oneEvent(item, Array.isArray(value) ? `[${index}]` : "", delivery, options, false);
    if (one.ok) events.push(one.value);
    else problems.push(...one.problems);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, events };
}
