/**
 * SCIM 2.0 (RFC 7643/7644) → canonical event: a full User resource (PUT) or a PatchOp (PATCH).
 * Only what UpdateUser can apply becomes a change; everything else is reported in `ignored` with a reason.
 */
import type { Problem } from "../change.ts";
import type { Delivery } from "../triggers/delivery.ts";
import {
  assign,
  assignAttributes,
  buildCustomFieldMap,
  createState,
  fail,
  ignore,
  METADATA,
  type State,
  settleDisplayName,
} from "./scim-attributes.ts";
import type { ScimOptions } from "./scim-options.ts";
import { CORE_USER_SCHEMA, parseScimPath } from "./scim-path.ts";
import { type CanonicalCandidate, type IgnoredAttribute, isObject, problem } from "./types.ts";

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const DEFAULT_SCIM_CUSTOM_FIELD_MAP: Readonly<Record<string, string>> = {
  [`${ENTERPRISE}:employeeNumber`]: "employee_number",
  [`${ENTERPRISE}:costCenter`]: "cost_center",
  [`${ENTERPRISE}:department`]: "department",
};

export const SCIM_PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const EIAM_USER_ID = /^user_[A-Za-z0-9]+$/;

function applyPatch(state: State, body: Record<string, unknown>): void {
  const key = Object.keys(body).find((name) => name.toLowerCase() === "operations") ?? "Operations";
  const operations = body[key];
  if (!Array.isArray(operations) || operations.length === 0) {
    fail(state, key, "required", "a SCIM PatchOp needs a non-empty Operations array");
    return;
  }
  operations.forEach((operation, index) => {
    const at = `${key}[${index}]`;
    if (!isObject(operation)) {
      fail(state, at, "invalid_type", "each operation must be an object");
      return;
    }
    const op = typeof operation.op === "string" ? operation.op.toLowerCase() : "";
    if (op !== "add" && op !== "replace" && op !== "remove") {
      fail(state, `${at}.op`, "invalid_op", 'op must be "add", "replace" or "remove" (any case)');
      return;
    }
    const path = operation.path;
    if (path !== undefined && typeof path !== "string") {
      fail(state, `${at}.path`, "invalid_type", "path must be a string");
      return;
    }
    if (op === "remove" && path === undefined) {
      fail(state, `${at}.path`, "required", "a remove operation needs a path");
      return;
    }
    if (op !== "remove" && operation.value === undefined) {
      fail(state, `${at}.value`, "required", `an ${op} operation needs a value`);
      return;
    }
    if (path === undefined) {
      if (!isObject(operation.value)) {
        fail(
          state,
          `${at}.value`,
          "invalid_type",
          `without a path, the ${op} value must be an object of attributes`,
        );
        return;
      }
      assignAttributes(state, operation.value, op, "");
      return;
    }
    const parsed = parseScimPath(path);
    if (!parsed.ok) {
      fail(state, `${at}.path`, "unsupported_path", parsed.reason);
      return;
    }
    // Ignored attributes and value problems are reported by attribute path, the way the client wrote it.
    assign(state, parsed.path, operation.value, op, path.trim());
  });
}

function applyResource(state: State, resource: Record<string, unknown>): void {
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const lower = key.toLowerCase();
    if (METADATA.has(lower) || lower === CORE_USER_SCHEMA) continue;
    attributes[key] = value;
  }
  // A core-schema object (rare, but legal) holds core attributes.
  const core = Object.entries(resource).find(([key]) => key.toLowerCase() === CORE_USER_SCHEMA)?.[1];
  if (isObject(core)) assignAttributes(state, core, "replace", "");
  assignAttributes(state, attributes, "replace", "");
}

function isPatch(body: Record<string, unknown>): boolean {
  const schemas = Array.isArray(body.schemas) ? body.schemas : [];
  if (
    schemas.some(
      (schema) => typeof schema === "string" && schema.toLowerCase() === SCIM_PATCH_OP_SCHEMA.toLowerCase(),
    )
  ) {
    return true;
  }
  return schemas.length === 0 && Object.keys(body).some((key) => key.toLowerCase() === "operations");
}

function routeUserId(delivery: Delivery): string | undefined {
  const match = /\/Users\/([^/]+)\/?$/i.exec(delivery.http?.path ?? "");
  return match?.[1];
}

function userKey(
  state: State,
  body: Record<string, unknown>,
  delivery: Delivery,
): Record<string, unknown> | undefined {
  const fromRoute = routeUserId(delivery);
  const fromBody = typeof body.id === "string" && body.id !== "" ? body.id : undefined;
  if (fromRoute !== undefined && fromBody !== undefined && fromRoute !== fromBody) {
    fail(state, "id", "id_mismatch", "the id in the body differs from the /Users/{id} in the request path");
    return undefined;
  }
  const id = fromRoute ?? fromBody;
  const externalId =
    typeof body.externalId === "string" && body.externalId !== "" ? body.externalId : undefined;
  if (id !== undefined && EIAM_USER_ID.test(id)) {
    if (externalId !== undefined)
      ignore(
        state,
        "externalId",
        "the user is identified by its EIAM id; UpdateUser cannot change the external id",
      );
    return { userId: id };
  }
  if (externalId !== undefined) return { externalId };
  if (id !== undefined) return { externalId: id };
  fail(
    state,
    "id",
    "user_unidentified",
    "cannot tell which user: no /Users/{id} in the request path, and no id or externalId in the body",
  );
  return undefined;
}

function occurredAt(body: Record<string, unknown>, receivedAt: number): string {
  const meta = isObject(body.meta) ? body.meta : {};
  return typeof meta.lastModified === "string" && meta.lastModified !== ""
    ? meta.lastModified
    : new Date(receivedAt).toISOString();
}

export type ScimResult =
  | { ok: true; events: CanonicalCandidate[]; ignored: IgnoredAttribute[] }
  | { ok: false; problems: Problem[] };

export function parseScim(body: unknown, delivery: Delivery, options: ScimOptions = {}): ScimResult {
  if (!isObject(body)) {
    return {
      ok: false,
      problems: [
        problem(
          "",
          "invalid_type",
          "a SCIM request body must be a JSON object (a User resource or a PatchOp)",
        ),
      ],
    };
  }
  const state = createState(options);
  buildCustomFieldMap(options.customFieldMap ?? DEFAULT_SCIM_CUSTOM_FIELD_MAP, state);
  const user = userKey(state, body, delivery);
  if (isPatch(body)) applyPatch(state, body);
  else applyResource(state, body);
  settleDisplayName(state);
  if (state.problems.length > 0) return { ok: false, problems: state.problems };

  const changes: Record<string, unknown> = { ...state.changes };
  if (Object.keys(state.customFields).length > 0) changes.customFields = state.customFields;
  if (Object.keys(changes).length === 0) {
    state.ignored.push({ path: "", reason: "nothing in this SCIM request can be applied with UpdateUser" });
    return { ok: true, events: [], ignored: state.ignored };
  }
  const event: CanonicalCandidate = {
    id: delivery.headers["webhook-id"] || delivery.deliveryId,
    source: options.source ?? "scim",
    occurredAt: occurredAt(body, delivery.receivedAt),
    user,
    changes,
  };
  return { ok: true, events: [event], ignored: state.ignored };
}

export type { ScimOptions };
