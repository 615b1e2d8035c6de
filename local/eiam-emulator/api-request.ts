import type { IncomingHttpHeaders } from "node:http";
import { invalidParameter } from "./errors.ts";

/** A received API call, decoded but not yet trusted. */
export interface ApiRequest {
  method: string;
  /** The path as received (still percent-encoded). */
  pathname: string;
  /** Percent-decoded query pairs in arrival order. */
  query: ReadonlyArray<readonly [string, string]>;
  /** Node lower-cases header names. */
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function headerValue(request: ApiRequest, name: string): string | undefined {
  const value = request.headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(",") : value;
}

export function queryParams(request: ApiRequest): Record<string, string> {
  return pairsToRecord(request.query, "query string");
}

/** Business parameters may also come in an application/x-www-form-urlencoded body (we are liberal). */
export function formBodyParams(request: ApiRequest): Record<string, string> {
  const contentType = headerValue(request, "content-type") ?? "";
  if (
    !contentType.toLowerCase().startsWith("application/x-www-form-urlencoded") ||
    request.body.length === 0
  ) {
    return {};
  }
  return pairsToRecord([...new URLSearchParams(request.body.toString("utf8"))], "form body");
}

/** A parameter sent twice (in one place or in both) is ambiguous: refuse it. */
export function mergeParams(
  first: Readonly<Record<string, string>>,
  second: Readonly<Record<string, string>>,
): Record<string, string> {
  const merged: Record<string, string> = { ...first };
  for (const [key, value] of Object.entries(second)) {
    if (key in merged)
      throw invalidParameter(key, `Parameter "${key}" is sent both in the query and in the body.`);
    merged[key] = value;
  }
  return merged;
}

function pairsToRecord(
  pairs: ReadonlyArray<readonly [string, string]>,
  where: string,
): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [key, value] of pairs) {
    if (Object.hasOwn(record, key)) {
      throw invalidParameter(key, `Parameter "${key}" is sent more than once in the ${where}.`);
    }
    record[key] = value;
  }
  return record;
}
