/**
 * GET /Users `filter` → UserQuery. Parsing is scim2-parse-filter's; what we accept is `eq` on userName,
 * externalId, id and the email (`emails.value`, `emails[type eq "work"].value`, `emails[value eq "…"]`),
 * joined with `and`. Anything else is refused as `invalidFilter`, naming what and why.
 */
import { type Filter, parse } from "scim2-parse-filter";
import type { UserQuery } from "./types.ts";

/**
 * The library's tokenizer regex backtracks exponentially on an unclosed quote full of newlines and re-slices
 * the rest of the text per token. Filters are short: a length cap and no control characters keep it linear.
 */
export const MAX_FILTER_LENGTH = 1000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
const CORE_PREFIX = "urn:ietf:params:scim:schemas:core:2.0:user:";

export type FilterResult =
  | { ok: true; query: UserQuery /** Two different values for one key: nothing can match. */; empty: boolean }
  | { ok: false; reason: string };

type Key = keyof UserQuery;
const KEYS: Record<string, Key> = {
  id: "id",
  username: "userName",
  externalid: "externalId",
  "emails.value": "email",
  emails: "email",
};

class FilterRefused extends Error {}

function attribute(attrPath: string): string {
  const lower = attrPath.toLowerCase();
  return lower.startsWith(CORE_PREFIX) ? lower.slice(CORE_PREFIX.length) : lower;
}

function shown(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** `emails[…]` selects which entry: the email type (default "work"), primary true, or the value itself. */
function emailSelector(filter: Filter, found: Array<[Key, string]>, emailType: string): void {
  if (filter.op === "and") {
    for (const part of filter.filters) emailSelector(part, found, emailType);
    return;
  }
  if (filter.op !== "eq") throw new FilterRefused(`emails[…] supports only eq and and, not '${filter.op}'`);
  const sub = attribute(filter.attrPath);
  if (
    sub === "type" &&
    typeof filter.compValue === "string" &&
    filter.compValue.toLowerCase() === emailType.toLowerCase()
  )
    return;
  if (sub === "primary" && filter.compValue === true) return;
  if (sub === "value" && typeof filter.compValue === "string") {
    found.push(["email", filter.compValue]);
    return;
  }
  throw new FilterRefused(
    `emails[…] may select type eq "${emailType}", primary eq true or value eq "…", not ${shown(filter.attrPath)}`,
  );
}

function collect(filter: Filter, found: Array<[Key, string]>, emailType: string): void {
  switch (filter.op) {
    case "and":
      for (const part of filter.filters) collect(part, found, emailType);
      return;
    case "[]":
      if (attribute(filter.attrPath) !== "emails")
        throw new FilterRefused(`only emails[…] may carry a value filter, not ${shown(filter.attrPath)}`);
      emailSelector(filter.valFilter, found, emailType);
      return;
    case "eq": {
      const key = KEYS[attribute(filter.attrPath)];
      if (key === undefined)
        throw new FilterRefused(
          `cannot filter on '${shown(filter.attrPath)}': supported are userName, externalId, id and emails`,
        );
      if (typeof filter.compValue !== "string")
        throw new FilterRefused(`${filter.attrPath} must be compared with a quoted string`);
      found.push([key, filter.compValue]);
      return;
    }
    default:
      throw new FilterRefused(`operator '${filter.op}' is not supported: only eq, and the and operator`);
  }
}

/** `emailType`: the `emails` type that EIAM's one email is answered as (ScimOptions.emailType). */
export function parseUserFilter(text: string, emailType = "work"): FilterResult {
  if (text.length > MAX_FILTER_LENGTH)
    return { ok: false, reason: `the filter is longer than ${MAX_FILTER_LENGTH} characters` };
  if (CONTROL.test(text)) return { ok: false, reason: "the filter contains control characters" };
  let filter: Filter;
  try {
    filter = parse(text);
  } catch {
    return { ok: false, reason: `the filter '${shown(text)}' is not valid SCIM filter syntax` };
  }
  const found: Array<[Key, string]> = [];
  try {
    collect(filter, found, emailType);
  } catch (error) {
    if (error instanceof FilterRefused) return { ok: false, reason: error.message };
    throw error;
  }
  const query: UserQuery = {};
  let empty = false;
  for (const [key, value] of found) {
    const seen = query[key];
    if (seen !== undefined && seen !== value) empty = true;
    query[key] = value;
  }
  return { ok: true, query, empty };
}
