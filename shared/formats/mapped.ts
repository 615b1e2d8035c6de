/**
 * The `mapped` payload format: an HR system's own webhook JSON turned into canonical events by a declarative
 * JMESPath mapping (mapping-config.ts). One event per payload, or one per element of the `each` expression.
 */
import { type JSONValue, TreeInterpreter } from "@jmespath-community/jmespath";
import type { Problem } from "../change.ts";
import type { CompiledExpression, CompiledMapping, CompiledRule, MappingConfig } from "./mapping-config.ts";
import type { JsonValue } from "./safe-json.ts";
import { type CanonicalCandidate, type IgnoredAttribute, problem } from "./types.ts";

export type MappedResult =
  | { ok: true; events: CanonicalCandidate[]; ignored: IgnoredAttribute[] }
  | { ok: false; problems: Problem[] };

class EvaluationFailure extends Error {}

/** JMESPath truthiness: false, null, "", [] and {} are false. */
function truthy(value: JSONValue): boolean {
  if (value === null || value === false || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value).length > 0;
  return true;
}

function evaluate(expr: CompiledExpression, root: JsonValue, item: JsonValue, what: string): JSONValue {
  try {
    return TreeInterpreter.search(expr.node, { root, item } as JSONValue);
  } catch (error) {
    const detail = (error as Error).message.slice(0, 200);
    throw new EvaluationFailure(`${what} expression \`${expr.source}\` failed: ${detail}`);
  }
}

/** The first of `candidates` whose `match` fits the body (no `match`: always). */
function firstMatching(candidates: readonly CompiledMapping[], body: JsonValue): CompiledMapping | undefined {
  return candidates.find(
    (mapping) =>
      mapping.match === undefined ||
      truthy(evaluate(mapping.match, body, body, `mapping '${mapping.name}': match`)),
  );
}

/** A route's mapping name (exact, or a prefix ending in `*`), else every loaded mapping, chosen by `match`. */
function chooseMapping(
  config: MappingConfig,
  name: string | undefined,
  body: JsonValue,
): CompiledMapping | Problem {
  if (name !== undefined && !name.endsWith("*")) {
    const named = config.mappings.find((mapping) => mapping.name === name);
    if (named === undefined) {
      return problem(
        "",
        "unknown_mapping",
        `no mapping is named '${name}' (known: ${config.mappings.map((m) => m.name).join(", ")})`,
      );
    }
    if (firstMatching([named], body) === undefined) {
      return problem(
        "",
        "no_mapping_matched",
        `the payload does not satisfy the match expression of mapping '${name}'`,
      );
    }
    return named;
  }
  const prefix = name?.slice(0, -1) ?? "";
  const candidates = config.mappings.filter((mapping) => mapping.name.startsWith(prefix));
  const found = firstMatching(candidates, body);
  if (found !== undefined) return found;
  return problem(
    "",
    "no_mapping_matched",
    `the payload satisfies the match expression of no mapping${name === undefined ? "" : ` named ${name}`} (${candidates.map((m) => m.name).join(", ")})`,
  );
}

function asIdString(value: JSONValue): string | undefined {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

function typeName(value: JSONValue): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

/** Convert the occurredAt result according to `occurredAtFormat`. */
function toOccurredAt(
  value: JSONValue,
  format: CompiledMapping["occurredAtFormat"],
): string | { error: string } {
  if (format === "rfc3339") {
    return typeof value === "string"
      ? value
      : { error: `gave ${typeName(value)}; expected an RFC 3339 string (or set occurredAtFormat)` };
  }
  const number = typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== "number" || !Number.isFinite(number)) {
    return {
      error: `gave ${typeName(value)}; expected epoch ${format === "epoch-ms" ? "milliseconds" : "seconds"}`,
    };
  }
  const date = new Date(format === "epoch-ms" ? number : number * 1000);
  if (Number.isNaN(date.getTime())) return { error: "is out of the date range" };
  return date.toISOString();
}

/** A rule's value, or `undefined` when its `when` guard is false. */
function ruleValue(
  rule: CompiledRule,
  root: JsonValue,
  item: JsonValue,
  what: string,
): JSONValue | undefined {
  if (rule.when !== undefined && !truthy(evaluate(rule.when, root, item, `${what}.when`))) return undefined;
  return evaluate(rule.expr, root, item, what);
}

type ElementResult =
  | { kind: "event"; event: CanonicalCandidate }
  | { kind: "skip"; reason: string }
  | { kind: "problems"; problems: Problem[] };

function mapElement(
  mapping: CompiledMapping,
  root: JsonValue,
  item: JsonValue,
  prefix: string,
): ElementResult {
  const problems: Problem[] = [];
  const label = `mapping '${mapping.name}'`;
  const event: CanonicalCandidate = {};

  const eventId = evaluate(mapping.eventId, root, item, `${label}: eventId`);
  const id = asIdString(eventId);
  if (id === undefined) {
    const code = eventId === null ? "required" : "invalid_type";
    problems.push(
      problem(
        `${prefix}id`,
        code,
        `${label}: eventId \`${mapping.eventId.source}\` gave ${typeName(eventId)}; expected a non-empty string`,
      ),
    );
  } else event.id = id;
  event.source = mapping.source;

  const when = toOccurredAt(
    evaluate(mapping.occurredAt, root, item, `${label}: occurredAt`),
    mapping.occurredAtFormat,
  );
  if (typeof when === "string") event.occurredAt = when;
  else
    problems.push(
      problem(
        `${prefix}occurredAt`,
        "invalid_type",
        `${label}: occurredAt \`${mapping.occurredAt.source}\` ${when.error}`,
      ),
    );

  for (const { key, expr } of mapping.user) {
    const value = evaluate(expr, root, item, `${label}: user.${key}`);
    if (value === null) continue;
    const asString = asIdString(value);
    event.user = { [key]: asString ?? value };
    break;
  }

  const changes: Record<string, unknown> = {};
  for (const { field, rule } of mapping.changes) {
    const value = ruleValue(rule, root, item, `${label}: changes.${field}`);
    if (value !== undefined && value !== null) changes[field] = value;
  }
  const customFields: Record<string, string | null> = {};
  for (const { name, rule } of mapping.customFields) {
    const value = ruleValue(rule, root, item, `${label}: changes.customFields.${name}`);
    if (value === undefined) continue;
    if (value === null) {
      if (rule.nullMeans === "remove") customFields[name] = null;
    } else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      customFields[name] = String(value);
    } else {
      const message = `${label}: custom field '${name}' gave ${typeName(value)}; expected a string, number, boolean or null`;
      problems.push(problem(`${prefix}changes.customFields.${name}`, "invalid_type", message));
    }
  }
  if (Object.keys(customFields).length > 0) changes.customFields = customFields;
  mapLifecycle(mapping, root, item, prefix, changes, problems);
  event.changes = changes;

  if (mapping.skipIfMissing && (event.user === undefined || Object.keys(changes).length === 0)) {
    const what = event.user === undefined ? "no user key" : "no field to change";
    return { kind: "skip", reason: `${label}: skipped (skipIfMissing): ${what}` };
  }
  if (event.user === undefined) {
    const keys = mapping.user.map((entry) => entry.key).join(", ");
    problems.push(
      problem(`${prefix}user`, "required", `${label}: every user key expression (${keys}) gave null`),
    );
  }
  return problems.length > 0 ? { kind: "problems", problems } : { kind: "event", event };
}

/** HR unit key → OU reference through the mapping's lookup; a key missing from a table is a problem. */
function unitRef(
  mapping: CompiledMapping,
  value: JSONValue,
  path: string,
  problems: Problem[],
): object | undefined {
  const key = asIdString(value);
  const label = `mapping '${mapping.name}'`;
  if (key === undefined) {
    problems.push(
      problem(
        path,
        "invalid_type",
        `${label}: gave ${typeName(value)}; expected an organizational unit key (a string)`,
      ),
    );
    return undefined;
  }
  const { table, key: kind } = mapping.organizationalUnitLookup;
  if (table === undefined) return { [kind]: key };
  const ref = Object.hasOwn(table, key) ? table[key] : undefined;
  if (ref === undefined) {
    problems.push(
      problem(
        path,
        "unknown_organizational_unit",
        `${label}: ${JSON.stringify(key.slice(0, 128))} is not in organizationalUnitLookup.table`,
      ),
    );
  }
  return ref;
}

function mapLifecycle(
  mapping: CompiledMapping,
  root: JsonValue,
  item: JsonValue,
  prefix: string,
  changes: Record<string, unknown>,
  problems: Problem[],
): void {
  const label = `mapping '${mapping.name}'`;
  const { status, primaryOrganizationalUnit, add, remove } = mapping.lifecycle;
  if (status !== undefined) {
    const value = ruleValue(status, root, item, `${label}: changes.status`);
    if (value !== undefined && value !== null) changes.status = value;
  }
  if (primaryOrganizationalUnit !== undefined) {
    const value = ruleValue(
      primaryOrganizationalUnit,
      root,
      item,
      `${label}: changes.primaryOrganizationalUnit`,
    );
    if (value !== undefined && value !== null) {
      const ref = unitRef(mapping, value, `${prefix}changes.primaryOrganizationalUnit`, problems);
      if (ref !== undefined) changes.primaryOrganizationalUnit = ref;
    }
  }
  const units: Record<string, object[]> = {};
  for (const [side, rule] of [
    ["add", add],
    ["remove", remove],
  ] as const) {
    if (rule === undefined) continue;
    const value = ruleValue(rule, root, item, `${label}: changes.organizationalUnits.${side}`);
    if (value === undefined || value === null) continue;
    const keys = Array.isArray(value) ? value : [value];
    const refs = keys.flatMap((key, i) => {
      const ref = unitRef(mapping, key, `${prefix}changes.organizationalUnits.${side}[${i}]`, problems);
      return ref === undefined ? [] : [ref];
    });
    if (refs.length > 0) units[side] = refs;
  }
  if (Object.keys(units).length > 0) changes.organizationalUnits = units;
}

export function parseMapped(
  body: JsonValue,
  config: MappingConfig | undefined,
  mappingName?: string,
): MappedResult {
  if (config === undefined || config.mappings.length === 0) {
    return {
      ok: false,
      problems: [
        problem("", "no_mapping", "the mapped format needs a mapping configuration, and none is loaded"),
      ],
    };
  }
  try {
    const chosen = chooseMapping(config, mappingName, body);
    if ("code" in chosen) return { ok: false, problems: [chosen] };
    let items: JsonValue[] = [body];
    if (chosen.each !== undefined) {
      const list = evaluate(chosen.each, body, body, `mapping '${chosen.name}': each`);
      if (!Array.isArray(list)) {
        const message = `mapping '${chosen.name}': each \`${chosen.each.source}\` gave ${typeName(list)}; expected an array`;
        return { ok: false, problems: [problem("", "invalid_type", message)] };
      }
      items = list as JsonValue[];
    }
    const events: CanonicalCandidate[] = [];
    const ignored: IgnoredAttribute[] = [];
    const problems: Problem[] = [];
    items.forEach((item, index) => {
      const prefix = chosen.each === undefined ? "" : `[${index}].`;
      let result: ElementResult;
      try {
        result = mapElement(chosen, body, item, prefix);
      } catch (error) {
        if (!(error instanceof EvaluationFailure)) throw error;
        result = {
          kind: "problems",
          problems: [problem(prefix.replace(/\.$/, ""), "mapping_failed", error.message)],
        };
      }
      if (result.kind === "event") events.push(result.event);
      else if (result.kind === "skip")
        ignored.push({ path: prefix.replace(/\.$/, ""), reason: result.reason });
      else problems.push(...result.problems);
    });
    return problems.length > 0 ? { ok: false, problems } : { ok: true, events, ignored };
  } catch (error) {
    if (!(error instanceof EvaluationFailure)) throw error;
    return { ok: false, problems: [problem("", "mapping_failed", error.message)] };
  }
}
