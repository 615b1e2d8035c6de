/**
 * Delivery → payload format → canonical event → normalized change.
 * Nothing here does I/O: a delivery becomes zero or more changes ready to apply, or problems to dead-letter.
 */
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
import { idempotencyKey, payloadHash } from "../idempotency/store.ts";
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
  /** The event as the payload format produced it (validate stage only). */
  candidate?: unknown;
}

export type Prepared = ReadyEvent | InvalidInput;

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = (value as Record<string, unknown>)[key];
  return typeof v === "string" ? v : undefined;
}

export function prepareDelivery(delivery: Delivery, options: PrepareOptions): Prepared[] {
  const ctx: PayloadContext = {
    delivery,
    format: options.format,
    mapping: options.mapping,
    scim: options.scim,
  };
  const payload = parsePayload(ctx);
  if (!payload.ok) return [{ kind: "invalid", delivery, stage: "decode", problems: payload.problems }];

  return payload.events.map((candidate): Prepared => {
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
      if (!parsed.ok) {
        return { kind: "invalid", delivery, stage: "validate", problems: parsed.problems, eventId, source };
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
