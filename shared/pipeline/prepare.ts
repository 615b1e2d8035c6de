/**
 * Delivery → payload format → canonical event → normalized change.
 * Nothing here does I/O: a delivery becomes zero or more changes ready to apply, or problems to dead-letter.
 */
import { cap, MAX_ID_LENGTH } from "../cap.ts";
import type { NormalizedChange, Problem } from "../change.ts";
import { parseCanonicalEvent } from "../events/parse.ts";
import {
  type FormatName,
  type IgnoredAttribute,
  type PayloadContext,
  parsePayload,
} from "../formats/index.ts";
import type { MappingConfig } from "../formats/mapping-config.ts";
import type { ScimOptions } from "../formats/scim.ts";
import { idempotencyKey, payloadHash } from "../idempotency/keys.ts";
import { type NormalizeOptions, normalizeChange } from "../normalize/index.ts";
import type { Delivery } from "../triggers/delivery.ts";
import { salvageLeaver } from "./leaver-first.ts";

/** How the apply stage treats users it does not find and OUs it must look up (UNKNOWN_USER, …). */
export interface LifecycleOptions {
  unknownUser: "dead-letter" | "create";
  defaultOrganizationalUnitId?: string;
  /** How long OU lookups are cached (USER_LOOKUP_CACHE_SECONDS). */
  lookupCacheMs?: number;
}

export interface PrepareOptions {
  normalize: NormalizeOptions;
  lifecycle?: LifecycleOptions;
  format?: FormatName;
  mapping?: MappingConfig;
  scim?: ScimOptions;
}

export interface ReadyEvent {
  kind: "ready";
  delivery: Delivery;
  change: NormalizedChange;
  ignored: IgnoredAttribute[];
  idempotencyKey: string;
  payloadHash: string;
  /** A leaver's fields that broke a rule: left out of `change` and dead-lettered on their own. */
  rejected?: { problems: Problem[]; candidate: unknown };
}

export interface InvalidInput {
  kind: "invalid";
  delivery: Delivery;
  /** `decode`: the delivery's payload could not be read as any format; `validate`: one event broke a rule. */
  stage: "decode" | "validate";
  problems: Problem[];
  eventId?: string;
  source?: string;
  /** The event as the payload format produced it (validate stage only): with the id, its identity. */
  candidate?: unknown;
}

export type Prepared = ReadyEvent | InvalidInput;

/** A string field of an event not yet validated, capped: it reaches logs and dead-letter records. */
function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === "string" ? cap(v, MAX_ID_LENGTH) : undefined;
}

/** The route's traits win over the function-wide settings; a route without a format keeps the guessing. */
function payloadContext(delivery: Delivery, options: PrepareOptions): PayloadContext {
  const route = delivery.route;
  const source = route?.source;
  return {
    delivery,
    format: route?.format ?? options.format,
    mapping: options.mapping,
    ...(route?.mappingName === undefined ? {} : { mappingName: route.mappingName }),
    scim: source === undefined ? options.scim : { ...options.scim, source },
    ...(route?.receiptTimeWhenNoTime ? { receiptTimeWhenNoTime: true } : {}),
  };
}

/** A route's `source` names events whose payload names none; their id is then the delivery's id. */
function withRouteSource(candidate: Record<string, unknown>, delivery: Delivery): Record<string, unknown> {
  const source = delivery.route?.source;
  if (source === undefined || typeof candidate !== "object" || candidate === null) return candidate;
  return {
    ...candidate,
    source: candidate.source ?? source,
    id: candidate.id ?? delivery.deliveryId,
  };
}

export function prepareDelivery(delivery: Delivery, options: PrepareOptions): Prepared[] {
  const payload = parsePayload(payloadContext(delivery, options));
  if (!payload.ok) return [{ kind: "invalid", delivery, stage: "decode", problems: payload.problems }];

  return payload.events.map((raw): Prepared => {
    const candidate = withRouteSource(raw, delivery);
    const eventId = stringField(candidate, "id");
    const source = stringField(candidate, "source");
    const parsed = parseCanonicalEvent(candidate);
    const normalized = parsed.ok
      ? normalizeChange(parsed.event, options.normalize)
      : { ok: false as const, problems: parsed.problems };
    if (!normalized.ok) {
      const salvaged = salvageLeaver(candidate, normalized.problems, options.normalize);
      if (salvaged !== undefined) {
        return ready(delivery, salvaged.change, payload.ignored, {
          problems: salvaged.rejected,
          candidate,
        });
      }
      return {
        kind: "invalid",
        delivery,
        stage: "validate",
        problems: normalized.problems,
        eventId,
        source,
        candidate,
      };
    }
    return ready(delivery, normalized.change, payload.ignored);
  });
}

function ready(
  delivery: Delivery,
  change: NormalizedChange,
  ignored: IgnoredAttribute[],
  rejected?: ReadyEvent["rejected"],
): ReadyEvent {
  const { occurredAtMs, user, fields, lifecycle } = change;
  return {
    kind: "ready",
    delivery,
    change,
    ignored,
    idempotencyKey: idempotencyKey(change.source, change.eventId),
    // Without lifecycle changes the hash is the one earlier versions stored.
    payloadHash: payloadHash({ occurredAt: occurredAtMs, user, fields, ...(lifecycle ? { lifecycle } : {}) }),
    ...(rejected !== undefined ? { rejected } : {}),
  };
}
