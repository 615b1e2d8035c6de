/**
 * A SCIM write (PATCH, PUT, POST) → ScimIntent. `active` is read here (active.ts); every other attribute goes
 * through the SCIM payload format (shared/formats/scim.ts), which maps what EIAM holds and reports the rest.
 */
import type { Problem } from "../change.ts";
import { parseScim } from "../formats/scim.ts";
import { type IgnoredAttribute, isObject } from "../formats/types.ts";
import type { HttpResponse } from "../handler/http-response.ts";
import type { Delivery } from "../triggers/delivery.ts";
import { type ActiveResult, takeActiveFromPatch, takeActiveFromResource } from "./active.ts";
import { type ScimType, scimError } from "./errors.ts";
import type { ResolvedScimOptions } from "./options.ts";
import type { ScimChanges, ScimIntent, ScimRequest } from "./types.ts";

export type IntentResult = { ok: true; intent: ScimIntent } | { ok: false; response: HttpResponse };

type Write = "PATCH" | "PUT" | "POST";

const NOTHING_TO_APPLY = "nothing in this SCIM request can be applied with UpdateUser";
const READ_ONLY = new Set(["id", "meta", "schemas"]);

/** Which SCIM error a problem of the payload format is. */
function scimTypeOf(code: string): ScimType {
  if (code === "unsupported_path") return "invalidPath";
  if (code === "id_mismatch" || code === "mutability") return "mutability";
  if (code === "invalid_op") return "invalidSyntax";
  return "invalidValue";
}

function refuse(problems: Problem[]): HttpResponse {
  const first = problems[0] ?? { path: "", code: "invalid", message: "invalid request" };
  const detail = problems.map((p) => (p.path === "" ? p.message : `${p.path}: ${p.message}`)).join("; ");
  return scimError(400, detail, scimTypeOf(first.code));
}

/** PATCH may not target id, meta or schemas. */
function readOnlyTarget(body: Record<string, unknown>): Problem | undefined {
  const key = Object.keys(body).find((name) => name.toLowerCase() === "operations");
  const operations = key === undefined ? [] : body[key];
  if (!Array.isArray(operations)) return undefined;
  for (const [index, operation] of operations.entries()) {
    if (!isObject(operation) || typeof operation.path !== "string") continue;
    const attr = operation.path.trim().split(/[.[]/, 1)[0]?.toLowerCase() ?? "";
    if (READ_ONLY.has(attr))
      return {
        path: `${key}[${index}].path`,
        code: "mutability",
        message: `${operation.path.slice(0, 80)} is read-only`,
      };
  }
  return undefined;
}

function takeActive(method: Write, body: Record<string, unknown>): ActiveResult {
  return method === "PATCH" ? takeActiveFromPatch(body) : takeActiveFromResource(body);
}

/** Name operations by their index in the request, not in the copy without `active`. */
function renumber(problems: Problem[], kept: number[] | undefined): Problem[] {
  if (kept === undefined) return problems;
  return problems.map((p) => ({
    ...p,
    path: p.path.replace(
      /^(operations)\[(\d+)\]/i,
      (_, key: string, index: string) => `${key}[${kept[Number(index)] ?? index}]`,
    ),
  }));
}

function mapAttributes(
  rest: Record<string, unknown>,
  request: ScimRequest,
  routePath: string,
  options: ResolvedScimOptions,
): { ok: true; changes: ScimChanges; ignored: IgnoredAttribute[] } | { ok: false; problems: Problem[] } {
  const delivery: Delivery = {
    trigger: "http",
    deliveryId: request.deliveryId,
    receivedAt: request.receivedAt,
    body: request.body,
    headers: {},
    http: { method: request.method, path: routePath, query: request.query },
    original: null,
  };
  const result = parseScim(rest, delivery, options);
  if (!result.ok) return result;
  const ignored = result.ignored.filter((entry) => entry.reason !== NOTHING_TO_APPLY);
  const changes = (result.events[0]?.changes ?? {}) as ScimChanges;
  return { ok: true, changes, ignored };
}

function stringField(body: Record<string, unknown>, name: string): string | undefined {
  const key = Object.keys(body).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : body[key];
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

export function buildIntent(
  method: Write,
  body: unknown,
  request: ScimRequest,
  userId: string | undefined,
  options: ResolvedScimOptions,
): IntentResult {
  if (!isObject(body)) {
    const what = method === "PATCH" ? "a PatchOp" : "a User resource";
    return {
      ok: false,
      response: scimError(400, `the request body must be ${what} (a JSON object)`, "invalidSyntax"),
    };
  }
  const isPatchOp = Object.keys(body).some((key) => key.toLowerCase() === "operations");
  if (isPatchOp !== (method === "PATCH")) {
    const detail =
      method === "PATCH"
        ? "a PATCH body must be a PatchOp with an Operations array"
        : `a ${method} body must be a User resource, not a PatchOp`;
    return { ok: false, response: scimError(400, detail, "invalidSyntax") };
  }
  if (method === "PATCH") {
    const readOnly = readOnlyTarget(body);
    if (readOnly) return { ok: false, response: refuse([readOnly]) };
  }
  const active = takeActive(method, body);
  if (!active.ok)
    return { ok: false, response: scimError(400, `${active.path}: ${active.reason}`, "invalidValue") };

  let rest = active.rest;
  let externalId: string | undefined;
  if (method === "POST") {
    if (stringField(rest, "userName") === undefined)
      return { ok: false, response: scimError(400, "userName: required to create a user", "invalidValue") };
    externalId = stringField(rest, "externalId");
    // The service assigns `id`; `externalId` is stored at creation, not mapped as a change.
    rest = Object.fromEntries(
      Object.entries(rest).filter(([k]) => k.toLowerCase() !== "id" && k.toLowerCase() !== "externalid"),
    );
  }
  // The format needs a user to name; for a create it is a placeholder, the intent names the user below.
  const routePath = `/Users/${userId ?? "new"}`;
  let changes: ScimChanges = {};
  let ignored: IgnoredAttribute[] = [];
  if (active.hasRest) {
    const mapped = mapAttributes(rest, request, routePath, options);
    if (!mapped.ok) return { ok: false, response: refuse(renumber(mapped.problems, active.kept)) };
    changes = mapped.changes;
    ignored = mapped.ignored;
  }
  const user: ScimIntent["user"] =
    userId !== undefined
      ? { userId }
      : externalId !== undefined
        ? { externalId }
        : { username: changes.username ?? "" };
  const intent: ScimIntent = {
    action: method === "POST" ? "create" : "update",
    method,
    eventId: request.deliveryId,
    source: options.source,
    occurredAt: new Date(request.receivedAt).toISOString(),
    user,
    changes,
    ignored,
    ...(active.status === undefined ? {} : { status: active.status }),
    ...(externalId === undefined ? {} : { externalId }),
  };
  return { ok: true, intent };
}

export function deleteIntent(request: ScimRequest, userId: string, options: ResolvedScimOptions): ScimIntent {
  return {
    action: "delete",
    method: "DELETE",
    eventId: request.deliveryId,
    source: options.source,
    occurredAt: new Date(request.receivedAt).toISOString(),
    user: { userId },
    changes: {},
    ignored: [],
  };
}

/** True when the intent would change nothing: no field, no status. */
export function isEmptyUpdate(intent: ScimIntent): boolean {
  return (
    intent.action === "update" && intent.status === undefined && Object.keys(intent.changes).length === 0
  );
}
