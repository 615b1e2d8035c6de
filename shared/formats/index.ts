/**
 * Payload formats: the bytes of one delivery → canonical-event-shaped candidates (not yet validated).
 * Which format: `ctx.format` (configuration or route), else the Content-Type, else unambiguous auto-detection.
 */
import { isUtf8 } from "node:buffer";
import type { Problem } from "../change.ts";
import { parseCanonical } from "./canonical.ts";
import { CLOUDEVENTS_BATCH, CLOUDEVENTS_STRUCTURED, isBinaryMode, parseCloudEvents } from "./cloudevents.ts";
import { parseMapped } from "./mapped.ts";
import { DEFAULT_MAX_DEPTH, type JsonValue, parseJsonSafely } from "./safe-json.ts";
import { parseScim, SCIM_PATCH_OP_SCHEMA } from "./scim.ts";
import { CORE_USER_SCHEMA } from "./scim-path.ts";
import { type FormatName, isObject, type PayloadContext, type PayloadResult, problem } from "./types.ts";

export type { MappingConfig } from "./mapping-config.ts";
export { loadMappingConfig, MappingConfigError } from "./mapping-config.ts";
export type { ScimOptions } from "./scim.ts";
export { DEFAULT_SCIM_CUSTOM_FIELD_MAP } from "./scim.ts";
export type {
  CanonicalCandidate,
  FormatName,
  IgnoredAttribute,
  PayloadContext,
  PayloadResult,
} from "./types.ts";

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

type Choice =
  | { format: FormatName }
  /** Auto-detected mapped payload: the result of trying the mappings that have a `match`. */
  | { format: "mapped"; detected: PayloadResult }
  | { problem: Problem };

function mediaType(ctx: PayloadContext): string {
  return (ctx.delivery.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

function looksScim(value: Record<string, unknown>): boolean {
  if (!Array.isArray(value.schemas)) return false;
  const urns = [CORE_USER_SCHEMA, SCIM_PATCH_OP_SCHEMA.toLowerCase()];
  return value.schemas.some((schema) => typeof schema === "string" && urns.includes(schema.toLowerCase()));
}

function looksCanonical(value: unknown): boolean {
  if (!isObject(value)) return false;
  return "specversion" in value || ("id" in value && "occurredAt" in value && "changes" in value);
}

function choose(ctx: PayloadContext, value: JsonValue): Choice {
  if (ctx.format !== undefined) return { format: ctx.format };
  const type = mediaType(ctx);
  if (type === "application/scim+json") return { format: "scim" };
  if (type === CLOUDEVENTS_STRUCTURED || type === CLOUDEVENTS_BATCH || isBinaryMode(ctx.delivery)) {
    return { format: "cloudevents" };
  }
  if (isObject(value) && looksScim(value)) return { format: "scim" };
  if (looksCanonical(value)) return { format: "canonical" };
  if (Array.isArray(value) && value.length > 0 && value.every(looksCanonical)) return { format: "canonical" };
  // A mapping applies on its own only when it has an explicit `match` that this payload satisfies.
  if (ctx.mapping?.mappings.some((mapping) => mapping.match !== undefined)) {
    const matching = {
      ...ctx.mapping,
      mappings: ctx.mapping.mappings.filter((mapping) => mapping.match !== undefined),
    };
    const probe = parseMapped(value, matching, ctx.mappingName);
    if (probe.ok)
      return {
        format: "mapped",
        detected: { ok: true, format: "mapped", events: probe.events, ignored: probe.ignored },
      };
    if (probe.problems.every((p) => p.code !== "no_mapping_matched"))
      return { format: "mapped", detected: probe };
  }
  return {
    problem: problem(
      "",
      "unknown_format",
      "could not determine the payload format: configure the format (canonical, cloudevents, scim or mapped) for this " +
        "source or route, or send Content-Type application/scim+json or application/cloudevents+json",
    ),
  };
}

function decodeBody(ctx: PayloadContext): { ok: true; value: JsonValue } | { ok: false; problem: Problem } {
  const body = ctx.delivery.body;
  const maxBytes = ctx.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (body.length > maxBytes) {
    return {
      ok: false,
      problem: problem("", "too_large", `body is ${body.length} bytes; the limit is ${maxBytes}`),
    };
  }
  if (!isUtf8(body)) return { ok: false, problem: problem("", "invalid_utf8", "body is not valid UTF-8") };
  const text = body.toString("utf8").replace(/^\uFEFF/, "");
  if (text.trim() === "") return { ok: false, problem: problem("", "empty_body", "body is empty") };
  const parsed = parseJsonSafely(text, ctx.limits?.maxDepth ?? DEFAULT_MAX_DEPTH);
  return parsed.ok ? parsed : { ok: false, problem: parsed.problem };
}

export function parsePayload(ctx: PayloadContext): PayloadResult {
  const decoded = decodeBody(ctx);
  if (!decoded.ok) return { ok: false, problems: [decoded.problem] };
  const value = decoded.value;
  const choice = choose(ctx, value);
  if ("problem" in choice) return { ok: false, problems: [choice.problem] };

  if (choice.format === "scim") {
    const result = parseScim(value, ctx.delivery, ctx.scim);
    return result.ok ? { ok: true, format: "scim", events: result.events, ignored: result.ignored } : result;
  }
  if ("detected" in choice) return choice.detected;
  if (choice.format === "mapped") {
    const result = parseMapped(value, ctx.mapping, ctx.mappingName);
    return result.ok
      ? { ok: true, format: "mapped", events: result.events, ignored: result.ignored }
      : result;
  }
  if (choice.format === "cloudevents") {
    const result = parseCloudEvents(value, ctx.delivery, {
      maxDepth: ctx.limits?.maxDepth ?? DEFAULT_MAX_DEPTH,
      receiptTimeWhenNoTime: ctx.receiptTimeWhenNoTime,
    });
    return result.ok ? { ok: true, format: "cloudevents", events: result.events, ignored: [] } : result;
  }
  const result = parseCanonical(value, ctx.limits?.maxDepth ?? DEFAULT_MAX_DEPTH);
  return result.ok ? { ok: true, format: "canonical", events: result.events, ignored: [] } : result;
}
