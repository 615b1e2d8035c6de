/**
 * The small subset of SCIM 2.0 attribute paths (RFC 7644 §3.5.2) that user sync needs:
 *   [schemaUrn:]attr[.subAttr]
 *   [schemaUrn:]attr[subAttr eq "text"][.subAttr]
 *   [schemaUrn:]attr[subAttr eq true|false][.subAttr]
 * Anything else (other operators, `and`/`or`/`not`, nested filters) is refused with a reason.
 */

export const CORE_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:user";
export const ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user";

export interface ScimPath {
  /** Lower-cased schema URN of an extension attribute; undefined for core User attributes. */
  schema?: string;
  /** Attribute name as written; `""` when the path names a whole extension schema. */
  attr: string;
  filter?: { attr: string; value: string | boolean };
  sub?: string;
}

export type ScimPathResult = { ok: true; path: ScimPath } | { ok: false; reason: string };

const NAME = /^[A-Za-z$][A-Za-z0-9_$-]*$/;
const FILTER = /^\s*([A-Za-z][A-Za-z0-9_$-]*)\s+(\S+)\s+("(?:[^"\\]|\\.)*"|true|false)\s*$/i;
const MAX_SHOWN = 120;

function shown(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

function refuse(text: string, why: string): ScimPathResult {
  return { ok: false, reason: `unsupported SCIM path '${shown(text)}': ${why}` };
}

function parseFilter(text: string, inner: string): ScimPath["filter"] | ScimPathResult {
  const match = FILTER.exec(inner);
  const operator = match?.[2]?.toLowerCase();
  if (match === null || operator !== "eq" || match[1] === undefined || match[3] === undefined) {
    return refuse(
      text,
      'only filters of the form [subAttr eq "value"] or [subAttr eq true|false] are supported',
    );
  }
  const literal = match[3];
  const lower = literal.toLowerCase();
  let value: string | boolean;
  if (lower === "true" || lower === "false") value = lower === "true";
  else {
    try {
      value = JSON.parse(literal) as string;
    } catch {
      return refuse(text, "the filter's string value is not a valid quoted string");
    }
  }
  return { attr: match[1], value };
}

export function parseScimPath(text: string): ScimPathResult {
  const trimmed = text.trim();
  if (trimmed === "") return refuse(text, "the path is empty");
  const lower = trimmed.toLowerCase();
  if (lower === CORE_USER_SCHEMA) return { ok: true, path: { attr: "" } };
  if (lower === ENTERPRISE_USER_SCHEMA)
    return { ok: true, path: { schema: ENTERPRISE_USER_SCHEMA, attr: "" } };

  let schema: string | undefined;
  let rest = trimmed;
  if (lower.startsWith("urn:")) {
    const bracket = trimmed.indexOf("[");
    const colon = trimmed.lastIndexOf(":", bracket === -1 ? trimmed.length : bracket);
    schema = lower.slice(0, colon);
    rest = trimmed.slice(colon + 1);
    if (schema === CORE_USER_SCHEMA) schema = undefined;
  }

  let attrPart = rest;
  let filter: ScimPath["filter"];
  let after = "";
  const open = rest.indexOf("[");
  if (open !== -1) {
    const close = rest.indexOf("]", open);
    if (close === -1) return refuse(text, "the filter has no closing ']'");
    attrPart = rest.slice(0, open);
    const parsed = parseFilter(text, rest.slice(open + 1, close));
    if (parsed !== undefined && "ok" in parsed) return parsed;
    filter = parsed;
    after = rest.slice(close + 1);
    if (after !== "" && !after.startsWith(".")) return refuse(text, "only '.subAttr' may follow a filter");
    after = after.slice(1);
  } else {
    const dot = rest.indexOf(".");
    if (dot !== -1) {
      attrPart = rest.slice(0, dot);
      after = rest.slice(dot + 1);
    }
  }

  if (!NAME.test(attrPart)) return refuse(text, `'${shown(attrPart)}' is not an attribute name`);
  if (after !== "" && !NAME.test(after)) return refuse(text, "only one level of sub-attribute is supported");
  const path: ScimPath = { attr: attrPart };
  if (schema !== undefined) path.schema = schema;
  if (filter !== undefined) path.filter = filter;
  if (after !== "") path.sub = after;
  return { ok: true, path };
}

/** Lower-cased `schema:attr.sub` (no filter), for case-insensitive lookups such as the custom-field map. */
export function pathKey(path: ScimPath): string {
  const base = path.schema === undefined ? path.attr : `${path.schema}:${path.attr}`;
  return (path.sub === undefined ? base : `${base}.${path.sub}`).toLowerCase();
}

/** How to show a path in a message: `emails[type eq "work"].value`. */
export function showPath(path: ScimPath): string {
  const schema = path.schema === undefined ? "" : `${path.schema}:`;
  const filter =
    path.filter === undefined ? "" : `[${path.filter.attr} eq ${JSON.stringify(path.filter.value)}]`;
  const sub = path.sub === undefined ? "" : `.${path.sub}`;
  return `${schema}${path.attr}${filter}${sub}`;
}
