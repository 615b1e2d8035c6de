/**
 * PATCH/PUT/DELETE /Users/{id} and POST /Users. Each write is one intent applied by the backend; the answer is
 * the user as EIAM holds it afterwards, plus what was not applied (the Report extension).
 */
import type { EiamUser } from "../eiam/types.ts";
import { type IgnoredAttribute, isObject } from "../formats/types.ts";
import type { HttpResponse } from "../handler/http-response.ts";
import { REPORT_SCHEMA } from "./discovery.ts";
import { scimError, scimResponse } from "./errors.ts";
import { buildIntent, deleteIntent, isEmptyUpdate } from "./intent.ts";
import type { ResolvedScimOptions } from "./options.ts";
import { failureResponse } from "./outcome.ts";
import { renderUser, userVersion } from "./render.ts";
import type { ScimBackend, ScimRequest } from "./types.ts";
import { etagMatches } from "./users-read.ts";

function answerUser(
  status: 200 | 201,
  user: EiamUser,
  ignored: IgnoredAttribute[],
  options: ResolvedScimOptions,
): HttpResponse {
  const resource = renderUser(user, options);
  if (ignored.length > 0) {
    resource.schemas = [...(resource.schemas as string[]), REPORT_SCHEMA];
    resource[REPORT_SCHEMA] = { ignored };
  }
  const headers: Record<string, string> = {};
  const version = userVersion(user);
  if (version !== undefined) headers.etag = version;
  if (status === 201) headers.location = `${options.baseUrl}/Users/${user.UserId}`;
  return scimResponse(status, resource, headers);
}

/** The user, or the answer that ends the request: 404, or 412 when If-Match names another version. */
async function currentUser(
  request: ScimRequest,
  userId: string,
  backend: ScimBackend,
): Promise<{ user: EiamUser } | { response: HttpResponse }> {
  const user = await backend.getUser(userId);
  if (user === undefined) return { response: scimError(404, "no such user") };
  const ifMatch = request.headers["if-match"];
  const version = userVersion(user);
  if (ifMatch !== undefined && (version === undefined || !etagMatches(ifMatch, version)))
    return { response: scimError(412, "the user has changed since the version named in If-Match") };
  return { user };
}

export async function updateUser(
  method: "PATCH" | "PUT",
  body: unknown,
  request: ScimRequest,
  userId: string,
  backend: ScimBackend,
  options: ResolvedScimOptions,
): Promise<HttpResponse> {
  const current = await currentUser(request, userId, backend);
  if ("response" in current) return current.response;
  const built = buildIntent(method, body, request, userId, options);
  if (!built.ok) return built.response;
  const { intent } = built;
  // Okta sends the externalId it was given back on every PUT: the same value changes nothing, so it is not reported.
  const sentExternalId = isObject(body) ? body.externalId : undefined;
  if (sentExternalId !== undefined && sentExternalId === current.user.UserExternalId)
    intent.ignored = intent.ignored.filter((entry) => entry.path !== "externalId");
  if (isEmptyUpdate(intent)) return answerUser(200, current.user, intent.ignored, options);
  const outcome = await backend.apply(intent);
  const failed = failureResponse(outcome);
  if (failed !== undefined) return failed;
  const after = await backend.getUser(userId);
  if (after === undefined) return scimError(404, "no such user");
  return answerUser(200, after, intent.ignored, options);
}

export async function createUser(
  body: unknown,
  request: ScimRequest,
  backend: ScimBackend,
  options: ResolvedScimOptions,
): Promise<HttpResponse> {
  const built = buildIntent("POST", body, request, undefined, options);
  if (!built.ok) return built.response;
  const { intent } = built;
  const userName = intent.changes.username ?? "";
  const existing = await backend.findUsers({ userName }, { startIndex: 1, count: 1 });
  if (existing.totalResults > 0) return scimError(409, "a user with this userName exists", "uniqueness");
  const outcome = await backend.apply(intent);
  const failed = failureResponse(outcome);
  if (failed !== undefined) return failed;
  const userId =
    outcome.userId ?? (await backend.findUsers({ userName }, { startIndex: 1, count: 1 })).users[0]?.UserId;
  const created = userId === undefined ? undefined : await backend.getUser(userId);
  if (created === undefined) return scimError(500, "the user was created but cannot be read back");
  return answerUser(201, created, intent.ignored, options);
}

export async function removeUser(
  request: ScimRequest,
  userId: string,
  backend: ScimBackend,
  options: ResolvedScimOptions,
): Promise<HttpResponse> {
  const current = await currentUser(request, userId, backend);
  if ("response" in current) return current.response;
  const outcome = await backend.apply(deleteIntent(request, userId, options));
  return failureResponse(outcome) ?? scimResponse(204);
}
