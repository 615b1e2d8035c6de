/**
 * `active` → EIAM status. Taken out of the request before the attribute mapping (shared/formats/scim.ts),
 * because UpdateUser cannot change it: the pipeline enables or disables the user instead.
 * Entra's legacy engine sends "True"/"False" strings; Okta sends `{"op":"replace","value":{"active":false}}`.
 */
import { isObject } from "../formats/types.ts";

const CORE_ACTIVE = "urn:ietf:params:scim:schemas:core:2.0:user:active";

export type Status = "enabled" | "disabled";

export type ActiveResult =
  | {
      ok: true;
      status?: Status;
      rest: Record<string, unknown>;
      /** Anything left to map. */
      hasRest: boolean;
      /** PATCH: the original index of each operation kept in `rest`, to name it in messages. */
      kept?: number[];
    }
  | { ok: false; path: string; reason: string };

function isActiveKey(key: string): boolean {
  const lower = key.trim().toLowerCase();
  return lower === "active" || lower === CORE_ACTIVE;
}

function toStatus(value: unknown): Status | undefined {
  if (value === true || (typeof value === "string" && value.toLowerCase() === "true")) return "enabled";
  if (value === false || (typeof value === "string" && value.toLowerCase() === "false")) return "disabled";
  return undefined;
}

function invalid(path: string): ActiveResult {
  return { ok: false, path, reason: 'active must be true or false (or the strings "True"/"False")' };
}

/** A User resource (PUT, POST): take `active` out. */
export function takeActiveFromResource(resource: Record<string, unknown>): ActiveResult {
  let status: Status | undefined;
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    if (!isActiveKey(key)) {
      rest[key] = value;
      continue;
    }
    status = toStatus(value);
    if (status === undefined) return invalid(key);
  }
  return { ok: true, ...(status === undefined ? {} : { status }), rest, hasRest: true };
}

/** A PatchOp: take `active` out of path-ed and path-less operations; drop operations left empty. */
export function takeActiveFromPatch(body: Record<string, unknown>): ActiveResult {
  const key = Object.keys(body).find((name) => name.toLowerCase() === "operations");
  const operations = key === undefined ? undefined : body[key];
  if (key === undefined || !Array.isArray(operations)) return { ok: true, rest: body, hasRest: true };
  let status: Status | undefined;
  const kept: unknown[] = [];
  const keptIndex: number[] = [];
  const keep = (operation: unknown, index: number) => {
    kept.push(operation);
    keptIndex.push(index);
  };
  for (const [index, operation] of operations.entries()) {
    if (!isObject(operation)) {
      keep(operation, index);
      continue;
    }
    const op = typeof operation.op === "string" ? operation.op.toLowerCase() : "";
    const at = `${key}[${index}]`;
    if (typeof operation.path === "string" && isActiveKey(operation.path)) {
      if (op === "remove")
        return { ok: false, path: `${at}.path`, reason: "active cannot be removed, only set" };
      status = toStatus(operation.value);
      if (status === undefined) return invalid(`${at}.value`);
      continue;
    }
    if (operation.path === undefined && isObject(operation.value) && op !== "remove") {
      const taken = takeActiveFromResource(operation.value);
      if (!taken.ok) return { ...taken, path: `${at}.value.${taken.path}` };
      if (taken.status !== undefined) status = taken.status;
      if (Object.keys(taken.rest).length > 0) keep({ ...operation, value: taken.rest }, index);
      continue;
    }
    keep(operation, index);
  }
  return {
    ok: true,
    ...(status === undefined ? {} : { status }),
    rest: { ...body, [key]: kept },
    // An empty Operations array stays, for the mapping to refuse it.
    hasRest: kept.length > 0 || operations.length === 0,
    kept: keptIndex,
  };
}
