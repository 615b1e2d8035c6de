/**
 * The SCIM 2.0 service (RFC 7644) for Users, served below the route prefix (e.g. `/scim/v2`). Authentication
 * is the door's (bearer token); this answers the request with what the backend reads and applies.
 */
import { parseJsonSafely } from "../formats/safe-json.ts";
import type { HttpResponse } from "../handler/http-response.ts";
import { listResponse, schemas, serviceProviderConfig, userResourceType } from "./discovery.ts";
import { scimError, scimResponse } from "./errors.ts";
import { resolveScimOptions, type ScimServiceOptions } from "./options.ts";
import { thrownResponse } from "./outcome.ts";
import type { ScimBackend, ScimRequest } from "./types.ts";
import { getUser, listUsers } from "./users-read.ts";
import { createUser, removeUser, updateUser } from "./users-write.ts";

function notAllowed(allow: string): HttpResponse {
  return scimError(405, `allowed methods here: ${allow}`, undefined, { allow });
}

function readBody(request: ScimRequest, maxBytes: number): { value: unknown } | { response: HttpResponse } {
  if (request.body.length > maxBytes)
    return { response: scimError(413, `the request body is larger than ${maxBytes} bytes`) };
  const parsed = parseJsonSafely(request.body.toString("utf8"));
  if (!parsed.ok) return { response: scimError(400, `body: ${parsed.problem.message}`, "invalidSyntax") };
  return { value: parsed.value };
}

function segments(path: string): string[] {
  return path.split("/").filter((part) => part !== "");
}

async function users(
  method: string,
  id: string | undefined,
  request: ScimRequest,
  backend: ScimBackend,
  options: ReturnType<typeof resolveScimOptions>,
): Promise<HttpResponse> {
  if (id === undefined) {
    if (method === "GET") return listUsers(request, backend, options);
    if (method !== "POST") return notAllowed("GET, POST");
    const body = readBody(request, options.maxBodyBytes);
    return "response" in body ? body.response : createUser(body.value, request, backend, options);
  }
  if (method === "GET") return getUser(request, id, backend, options);
  if (method === "DELETE") return removeUser(request, id, backend, options);
  if (method !== "PATCH" && method !== "PUT") return notAllowed("GET, PATCH, PUT, DELETE");
  const body = readBody(request, options.maxBodyBytes);
  return "response" in body ? body.response : updateUser(method, body.value, request, id, backend, options);
}

function discovery(
  method: string,
  endpoint: string,
  rawId: string | undefined,
  options: ReturnType<typeof resolveScimOptions>,
): HttpResponse {
  if (method !== "GET") return notAllowed("GET");
  const id = rawId?.toLowerCase();
  if (endpoint === "serviceproviderconfig" && id === undefined)
    return scimResponse(200, serviceProviderConfig(options));
  if (endpoint === "resourcetypes") {
    const user = userResourceType(options);
    if (id === undefined) return scimResponse(200, listResponse([user], 1, 1));
    return id === "user" ? scimResponse(200, user) : scimError(404, "no such resource type");
  }
  const all = schemas(options);
  if (id === undefined) return scimResponse(200, listResponse(all, all.length, 1));
  const one = all.find((schema) => String(schema.id).toLowerCase() === id);
  return one === undefined ? scimError(404, "no such schema") : scimResponse(200, one);
}

/** Groups are not provisioned: an empty list (Entra's connection test), 404 for one, 501 for writes. */
function groups(method: string, id: string | undefined): HttpResponse {
  if (method === "GET")
    return id === undefined ? scimResponse(200, listResponse([], 0, 1)) : scimError(404, "no such group");
  return scimError(501, "groups are not supported by this service");
}

const DISCOVERY = new Set(["serviceproviderconfig", "resourcetypes", "schemas"]);
const NOT_IMPLEMENTED = new Set(["bulk", "me", ".search"]);

export async function handleScimRequest(
  request: ScimRequest,
  backend: ScimBackend,
  serviceOptions: ScimServiceOptions = {},
): Promise<HttpResponse> {
  const options = resolveScimOptions(serviceOptions);
  const method = request.method.toUpperCase();
  const parts = segments(request.path);
  const endpoint = parts[0]?.toLowerCase() ?? "";
  const id = parts[1] === undefined ? undefined : decodeURIComponentSafe(parts[1]);
  try {
    if (parts.length > 2 || (id === undefined && parts.length > 1)) return scimError(404, "no such endpoint");
    if (endpoint === "users") return await users(method, id, request, backend, options);
    if (endpoint === "groups") return groups(method, id);
    if (DISCOVERY.has(endpoint)) return discovery(method, endpoint, id, options);
    if (NOT_IMPLEMENTED.has(endpoint)) return scimError(501, `/${parts[0]} is not supported by this service`);
    return scimError(404, "no such endpoint");
  } catch (error) {
    return thrownResponse(error);
  }
}

function decodeURIComponentSafe(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
