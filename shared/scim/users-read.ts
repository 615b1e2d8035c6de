/** GET /Users (filter, startIndex, count) and GET /Users/{id}. */
import type { HttpResponse } from "../handler/http-response.ts";
import { listResponse } from "./discovery.ts";
import { scimError, scimResponse } from "./errors.ts";
import { parseUserFilter } from "./filter.ts";
import type { ResolvedScimOptions } from "./options.ts";
import { renderUser, userVersion } from "./render.ts";
import type { ScimBackend, ScimRequest } from "./types.ts";

const INTEGER = /^-?\d{1,9}$/;

function integerParam(query: Record<string, string>, name: string): number | undefined | "invalid" {
  const key = Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
  const text = key === undefined ? undefined : query[key]?.trim();
  if (text === undefined || text === "") return undefined;
  return INTEGER.test(text) ? Number(text) : "invalid";
}

export async function listUsers(
  request: ScimRequest,
  backend: ScimBackend,
  options: ResolvedScimOptions,
): Promise<HttpResponse> {
  const start = integerParam(request.query, "startIndex");
  const count = integerParam(request.query, "count");
  if (start === "invalid") return scimError(400, "startIndex: must be an integer", "invalidValue");
  if (count === "invalid") return scimError(400, "count: must be an integer", "invalidValue");
  // RFC 7644 §3.4.2.4: startIndex below 1 means 1, a negative count means 0.
  const startIndex = Math.max(1, start ?? 1);
  const pageSize = Math.min(options.maxResults, Math.max(0, count ?? options.maxResults));
  const filterKey = Object.keys(request.query).find((k) => k.toLowerCase() === "filter");
  const filterText = filterKey === undefined ? undefined : request.query[filterKey];
  let query = {};
  if (filterText !== undefined && filterText.trim() !== "") {
    const parsed = parseUserFilter(filterText, options.emailType);
    if (!parsed.ok) return scimError(400, `filter: ${parsed.reason}`, "invalidFilter");
    if (parsed.empty) return scimResponse(200, listResponse([], 0, startIndex));
    query = parsed.query;
  }
  const page = await backend.findUsers(query, { startIndex, count: pageSize });
  const resources = page.users.slice(0, pageSize).map((user) => renderUser(user, options));
  return scimResponse(200, listResponse(resources, page.totalResults, startIndex));
}

export async function getUser(
  request: ScimRequest,
  userId: string,
  backend: ScimBackend,
  options: ResolvedScimOptions,
): Promise<HttpResponse> {
  const user = await backend.getUser(userId);
  if (user === undefined) return scimError(404, "no such user");
  const version = userVersion(user);
  const headers: Record<string, string> = version === undefined ? {} : { etag: version };
  const ifNoneMatch = request.headers["if-none-match"];
  if (version !== undefined && ifNoneMatch !== undefined && etagMatches(ifNoneMatch, version))
    return scimResponse(304, undefined, headers);
  return scimResponse(200, renderUser(user, options), headers);
}

/** `If-Match`/`If-None-Match`: `*` or a list of tags; weak comparison (RFC 9110 §8.8.3.2). */
export function etagMatches(header: string, version: string): boolean {
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  const wanted = opaque(version);
  return header.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === wanted);
}
