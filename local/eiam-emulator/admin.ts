import { SUPPORTED_ACTIONS } from "./actions.ts";
import { parseCustomFieldDefinition, parseSeedOrganizationalUnit, parseSeedUser } from "./admin-input.ts";
import { ApiError } from "./errors.ts";
import type { EmulatorState } from "./state.ts";

export const ADMIN_PREFIX = "/__admin";

export interface AdminResponse {
  status: number;
  body?: unknown;
}

/**
 * The unsigned JSON admin API (test and demo control; never subject to faults):
 * GET health | GET users | GET users/:id | POST users | GET/POST custom-fields | GET/POST organizational-units | POST reset |
 * GET/DELETE requests | GET/PUT/PATCH faults.
 */
export function handleAdminRequest(
  method: string,
  pathname: string,
  rawBody: Buffer,
  state: EmulatorState,
): AdminResponse {
  try {
    return route(method, pathname.slice(ADMIN_PREFIX.length).replace(/\/+$/, ""), rawBody, state);
  } catch (error) {
    if (error instanceof ApiError)
      return { status: error.status, body: { error: error.message, code: error.code } };
    return { status: 400, body: { error: error instanceof Error ? error.message : String(error) } };
  }
}

function route(method: string, path: string, rawBody: Buffer, state: EmulatorState): AdminResponse {
  const json = (): unknown => parseJson(rawBody);
  const userMatch = /^\/users\/([^/]+)$/.exec(path);
  if (userMatch) {
    if (method !== "GET") return notAllowed(method, path);
    const userId = decodeURIComponent(userMatch[1] ?? "");
    const user = state.getUser(userId);
    return user
      ? { status: 200, body: user }
      : { status: 404, body: { error: `user "${userId}" does not exist.` } };
  }
  switch (`${method} ${path}`) {
    case "GET /health":
      return {
        status: 200,
        body: {
          status: "ok",
          instanceIds: state.instanceIds,
          users: state.listUsers().length,
          actions: SUPPORTED_ACTIONS,
        },
      };
    case "GET /users":
      return { status: 200, body: { users: state.listUsers() } };
    case "POST /users":
      return { status: 201, body: state.seedUser(parseSeedUser(json())) };
    case "GET /custom-fields":
      return { status: 200, body: { customFields: state.listCustomFields() } };
    case "POST /custom-fields":
      return { status: 201, body: state.defineCustomField(parseCustomFieldDefinition(json())) };
    case "GET /organizational-units":
      return { status: 200, body: { organizationalUnits: state.listOrganizationalUnits() } };
    case "POST /organizational-units":
      return { status: 201, body: state.seedOrganizationalUnit(parseSeedOrganizationalUnit(json())) };
    case "POST /reset":
      state.reset();
      return { status: 200, body: { status: "reset" } };
    case "GET /requests":
      return { status: 200, body: { requests: state.requestLog } };
    case "DELETE /requests":
      state.clearRequestLog();
      return { status: 204 };
    case "GET /faults":
      return { status: 200, body: state.faults };
    case "PUT /faults":
      return { status: 200, body: state.faultController.replace(json()) };
    case "PATCH /faults":
      return { status: 200, body: state.faultController.update(json()) };
    default:
      return { status: 404, body: { error: `no admin route ${method} ${ADMIN_PREFIX}${path}` } };
  }
}

function notAllowed(method: string, path: string): AdminResponse {
  return { status: 405, body: { error: `${method} is not allowed on ${ADMIN_PREFIX}${path}` } };
}

function parseJson(rawBody: Buffer): unknown {
  const text = rawBody.toString("utf8");
  if (text.trim() === "") throw new Error("the request body must be JSON, but it is empty.");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(
      `the request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
