import type { Problem } from "../change.ts";
import type { Delivery } from "../triggers/delivery.ts";
import type { MappingConfig } from "./mapping-config.ts";
import type { ScimOptions } from "./scim-options.ts";

export type FormatName = "canonical" | "cloudevents" | "scim" | "mapped";

export interface PayloadContext {
  delivery: Delivery;
  /** Forced by configuration or by the HTTP route (`format` in SENDERS_FILE). */
  format?: FormatName;
  mapping?: MappingConfig;
  /** Pick the mapping with this name (a route's `mapped:<name>`); its `match` must still hold. */
  mappingName?: string;
  /** CloudEvents without `time` take the delivery's receipt time (a route opts in); else they are refused. */
  receiptTimeWhenNoTime?: boolean;
  scim?: ScimOptions;
  /** Defaults: 1 MiB body, nesting depth 32. */
  limits?: { maxBodyBytes?: number; maxDepth?: number };
}

/** Something in the payload that UpdateUser cannot apply: reported, never silently dropped. */
export interface IgnoredAttribute {
  path: string;
  reason: string;
}

/** Shaped like the canonical event v1, NOT yet validated (shared/events/parse.ts does that). */
export type CanonicalCandidate = Record<string, unknown>;

export type PayloadResult =
  | { ok: true; format: FormatName; events: CanonicalCandidate[]; ignored: IgnoredAttribute[] }
  | { ok: false; problems: Problem[] };

export function problem(path: string, code: string, message: string): Problem {
  return { path, code, message };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
