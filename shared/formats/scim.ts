/**
 * SCIM 2.0 (RFC 7643/7644) → canonical event: a full User resource (PUT) or a PatchOp (PATCH).
 * Only what UpdateUser can apply becomes a change; everything else is reported in `ignored` with a reason.
 */
import type { Problem } from "../change.ts";
import type { Delivery } from "../triggers/delivery.ts";
import {
  CORE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  parseScimPath,
  pathKey,
  type ScimPath,
  showPath,
} from "./scim-path.ts";
import { type CanonicalCandidate, type IgnoredAttribute, isObject, problem } from "./types.ts";

export interface ScimOptions {
  /**
   * SCIM attribute path → EIAM custom field name. When given it replaces the defaults
   * (spread `DEFAULT_SCIM_CUSTOM_FIELD_MAP` to extend them). Paths are case-insensitive; core attributes may be
   * written short (`title`) and extension attributes in full (`urn:…:enterprise:2.0:User:costCenter`).
   */
  customFieldMap?: Record<string, string>;
  /** Default `name.formatted`. `givenName`/`familyName` are used only when this says so. */
  displayNameFrom?: "name.formatted" | "givenName familyName" | "familyName givenName";
  /** Which `emails` entry to apply: this `type` (default `work`), else the `primary` one. */
  emailType?: string;
  /** Which `phoneNumbers` entry to apply: this `type` (default `mobile`), else the `primary` one. */
  phoneType?: string;
  /** The canonical `source` of SCIM events (part of the idempotency key). Default `scim`. */
  source?: string;
}

const ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const DEFAULT_SCIM_CUSTOM_FIELD_MAP: Readonly<Record<string, string>> = {
  [`${ENTERPRISE}:employeeNumber`]: "employee_number",
  [`${ENTERPRISE}:costCenter`]: "cost_center",
  [`${ENTERPRISE}:department`]: "department",
};

export const SCIM_PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const EIAM_USER_ID = /^user_[A-Za-z0-9]+$/;
const METADATA = new Set(["schemas", "id", "meta", "externalid"]);

type Op = "add" | "replace" | "remove";

/** Why an attribute is not applied, by lower-cased core attribute name. */
const UNSUPPORTED_CORE: Record<string, string> = {
  active: "UpdateUser cannot enable or disable a user (EIAM has separate Enable/DisableUser APIs)",
  password: "passwords are not synchronized",
  groups: "group membership is read-only in SCIM and not managed by UpdateUser",
  addresses: "UpdateUser has no address fields",
  ims: "UpdateUser has no instant-messaging fields",
  photos: "UpdateUser has no photo field",
  roles: "UpdateUser does not manage roles",
  entitlements: "UpdateUser does not manage entitlements",
  x509certificates: "UpdateUser does not manage certificates",
};
const SINGLE_VALUED_CORE = new Set([
  "title",
  "nickname",
  "usertype",
  "preferredlanguage",
  "locale",
  "timezone",
  "profileurl",
]);

interface State {
  options: Required<Pick<ScimOptions, "emailType" | "phoneType">> & ScimOptions;
  customFieldMap: Map<string, string>;
  changes: { username?: string; displayName?: string; email?: string; phone?: string };
  customFields: Record<string, string | null>;
  displayNameGiven: boolean;
  name: {
    formatted?: { value: string; at: string };
    givenName?: { value: string; at: string };
    familyName?: { value: string; at: string };
  };
  ignored: IgnoredAttribute[];
  problems: Problem[];
}

function ignore(state: State, path: string, reason: string): void {
  state.ignored.push({ path, reason });
}

function fail(state: State, path: string, code: string, message: string): void {
  state.problems.push(problem(path, code, message));
}

function buildCustomFieldMap(map: Readonly<Record<string, string>>, state: State): void {
  for (const [scimPath, fieldName] of Object.entries(map)) {
    const parsed = parseScimPath(scimPath);
    if (!parsed.ok || parsed.path.filter !== undefined) {
      const why = parsed.ok ? "filters are not allowed here" : parsed.reason;
      fail(
        state,
        "",
        "invalid_configuration",
        `ScimOptions.customFieldMap key '${scimPath}' is not usable: ${why}`,
      );
      continue;
    }
    state.customFieldMap.set(pathKey(parsed.path), fieldName);
  }
}

function customFieldValue(value: unknown): string | null | undefined {
  if (value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  // Complex attributes such as the enterprise `manager` carry their value in `.value`.
  if (isObject(value) && "value" in value) return customFieldValue(value.value);
  return undefined;
}

function setCustomField(state: State, field: string, value: unknown, op: Op, at: string): void {
  if (op === "remove") {
    state.customFields[field] = null;
    return;
  }
  const converted = customFieldValue(value);
  if (converted === undefined) {
    fail(state, at, "invalid_type", `custom field '${field}' needs a string, number or boolean value`);
    return;
  }
  state.customFields[field] = converted;
}

function stringValue(state: State, value: unknown, at: string, what: string): string | undefined {
  if (typeof value === "string") return value;
  fail(state, at, "invalid_type", `${what} must be a string`);
  return undefined;
}

/** The value of one entry of `emails`/`phoneNumbers` chosen by type, else primary; the rest are reported. */
function chooseEntry(state: State, entries: unknown[], type: string, at: string, label: string): unknown {
  const wanted = type.toLowerCase();
  const objects = entries.map((entry) => (isObject(entry) ? entry : {}));
  let chosen = objects.findIndex(
    (entry) => typeof entry.type === "string" && entry.type.toLowerCase() === wanted,
  );
  if (chosen === -1) chosen = objects.findIndex((entry) => entry.primary === true);
  objects.forEach((_, index) => {
    if (index !== chosen)
      ignore(
        state,
        `${at}[${index}]`,
        `only the ${label} of type "${type}" (else the primary one) is applied`,
      );
  });
  return chosen === -1 ? undefined : objects[chosen]?.value;
}

function assignContact(state: State, path: ScimPath, value: unknown, op: Op, at: string): void {
  const isEmail = path.attr.toLowerCase() === "emails";
  const field = isEmail ? "email" : "phone";
  const type = isEmail ? state.options.emailType : state.options.phoneType;
  const label = isEmail ? "email" : "phone number";
  const shown = showPath(path);
  if (path.filter !== undefined) {
    const filterAttr = path.filter.attr.toLowerCase();
    if (filterAttr !== "type" && filterAttr !== "primary") {
      fail(state, at, "unsupported_path", `unsupported SCIM path '${shown}': filter on type or primary only`);
      return;
    }
    const selected =
      filterAttr === "type"
        ? typeof path.filter.value === "string" && path.filter.value.toLowerCase() === type.toLowerCase()
        : path.filter.value === true;
    if (!selected) {
      ignore(state, at, `only the ${label} of type "${type}" or the primary one is applied`);
      return;
    }
    const sub = path.sub?.toLowerCase();
    if (sub !== undefined && sub !== "value") {
      ignore(state, at, `only ${path.attr}[…].value is applied; UpdateUser has no field for '${path.sub}'`);
      return;
    }
    if (op === "remove") {
      ignore(state, at, `UpdateUser cannot clear the ${label}`);
      return;
    }
    setContact(state, field, sub === "value" ? value : entryValue(value), at, shown);
    return;
  }
  if (path.sub !== undefined) {
    fail(
      state,
      at,
      "unsupported_path",
      `unsupported SCIM path '${shown}': select the entry with a filter, e.g. ${path.attr}[type eq "${type}"].value`,
    );
    return;
  }
  if (op === "remove") {
    ignore(state, at, `UpdateUser cannot clear the ${label}`);
    return;
  }
  const entries = Array.isArray(value) ? value : [value];
  const chosen = chooseEntry(state, entries, type, at, label);
  if (chosen === undefined) {
    if (entries.length > 0) return;
    ignore(state, at, `no ${label} entries`);
    return;
  }
  setContact(state, field, chosen, at, shown);
}

/** `emails[type eq "work"]` set as a whole: the value is the entry object (or a one-element array of it). */
function entryValue(value: unknown): unknown {
  const entry = Array.isArray(value) ? value[0] : value;
  return isObject(entry) ? entry.value : undefined;
}

function setContact(state: State, field: "email" | "phone", value: unknown, at: string, shown: string): void {
  const text = stringValue(state, value, at, `${shown} value`);
  if (text === undefined) return;
  // RFC 3966 `tel:` URIs are allowed in SCIM phoneNumbers; the normalizer wants the number itself.
  state.changes[field] = field === "phone" ? text.replace(/^tel:/i, "") : text;
}

function assignName(state: State, sub: string | undefined, value: unknown, op: Op, at: string): void {
  if (sub === undefined) {
    if (op === "remove") {
      ignore(state, at, "UpdateUser cannot clear the name");
      return;
    }
    if (!isObject(value)) {
      fail(state, at, "invalid_type", "name must be an object");
      return;
    }
    for (const [key, part] of Object.entries(value))
      assignCore(state, { attr: "name", sub: key }, part, op, `${at}.${key}`);
    return;
  }
  const lower = sub.toLowerCase();
  const slot =
    lower === "formatted"
      ? "formatted"
      : lower === "givenname"
        ? "givenName"
        : lower === "familyname"
          ? "familyName"
          : undefined;
  if (slot === undefined) {
    ignore(state, at, `UpdateUser has no field for name.${sub}; map it with ScimOptions.customFieldMap`);
    return;
  }
  if (op === "remove") {
    ignore(state, at, "UpdateUser cannot clear the display name");
    return;
  }
  const text = stringValue(state, value, at, `name.${sub}`);
  if (text !== undefined) state.name[slot] = { value: text, at };
}

function assignCore(state: State, path: ScimPath, value: unknown, op: Op, at: string): void {
  const attr = path.attr.toLowerCase();
  if (attr === "emails" || attr === "phonenumbers") {
    assignContact(state, path, value, op, at);
    return;
  }
  if (path.filter !== undefined) {
    fail(
      state,
      at,
      "unsupported_path",
      `unsupported SCIM path '${showPath(path)}': filters apply to emails and phoneNumbers only`,
    );
    return;
  }
  if (attr === "name") {
    assignName(state, path.sub, value, op, at);
    return;
  }
  if (path.sub !== undefined && attr !== "name") {
    ignore(state, at, `UpdateUser has no field for ${showPath(path)}`);
    return;
  }
  if (attr === "username" || attr === "displayname") {
    const field = attr === "username" ? "username" : "displayName";
    if (op === "remove") {
      ignore(state, at, `UpdateUser cannot clear the ${field}`);
      return;
    }
    const text = stringValue(state, value, at, path.attr);
    if (text === undefined) return;
    state.changes[field] = text;
    if (field === "displayName") state.displayNameGiven = true;
    return;
  }
  if (METADATA.has(attr)) {
    const reason =
      attr === "externalid"
        ? "UpdateUser cannot change the external id; it only identifies the user"
        : `${path.attr} is read-only metadata`;
    ignore(state, at, reason);
    return;
  }
  const unsupported = UNSUPPORTED_CORE[attr];
  if (unsupported !== undefined) {
    ignore(state, at, unsupported);
    return;
  }
  if (SINGLE_VALUED_CORE.has(attr)) {
    ignore(state, at, `UpdateUser has no field for ${path.attr}; map it with ScimOptions.customFieldMap`);
    return;
  }
  ignore(state, at, `unknown SCIM attribute '${path.attr}'`);
}

function assignExtension(state: State, path: ScimPath, value: unknown, op: Op, at: string): void {
  const schema = path.schema ?? "";
  if (path.attr === "") {
    if (op === "remove") {
      ignore(state, at, "removing a whole extension is not applied; remove its attributes one by one");
      return;
    }
    if (!isObject(value)) {
      fail(state, at, "invalid_type", `the ${schema} extension must be an object`);
      return;
    }
    for (const [key, part] of Object.entries(value))
      assign(state, { schema, attr: key }, part, op, `${at}.${key}`);
    return;
  }
  if (path.filter !== undefined) {
    fail(
      state,
      at,
      "unsupported_path",
      `unsupported SCIM path '${showPath(path)}': filters apply to emails and phoneNumbers only`,
    );
    return;
  }
  if (schema === ENTERPRISE_USER_SCHEMA) {
    ignore(
      state,
      at,
      `enterprise attribute ${path.attr}${path.sub ? `.${path.sub}` : ""} is not mapped to a custom field (ScimOptions.customFieldMap)`,
    );
    return;
  }
  ignore(state, at, `attribute of an unknown schema extension (${schema}) is not mapped to a custom field`);
}

/** Route one attribute assignment: custom-field map first, then core attributes, then extensions. */
function assign(state: State, path: ScimPath, value: unknown, op: Op, at: string): void {
  if (path.filter === undefined) {
    const field =
      state.customFieldMap.get(pathKey(path)) ??
      (path.sub?.toLowerCase() === "value"
        ? state.customFieldMap.get(pathKey({ ...path, sub: undefined }))
        : undefined);
    if (field !== undefined) {
      setCustomField(state, field, value, op, at);
      return;
    }
  }
  if (path.schema === undefined) {
    assignCore(state, path, value, op, at);
    return;
  }
  assignExtension(state, path, value, op, at);
  return;
}

/** Keys of a resource (or of a path-less PATCH value) are attribute paths. */
function assignAttributes(state: State, attributes: Record<string, unknown>, op: Op, prefix: string): void {
  for (const [key, value] of Object.entries(attributes)) {
    const at = prefix === "" ? key : `${prefix}.${key}`;
    const parsed = parseScimPath(key);
    if (!parsed.ok) {
      fail(state, at, "unsupported_path", parsed.reason);
      continue;
    }
    assign(state, parsed.path, value, op, at);
  }
}

function joinName(first: string, second: string): string {
  // CJK names are written without a space between family and given name (张 + 三 → 张三).
  const cjk = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+$/u;
  return cjk.test(first) && cjk.test(second) ? `${first}${second}` : `${first} ${second}`;
}

/** Derive the display name from `name.*` when no `displayName` was given, per `displayNameFrom`. */
function settleDisplayName(state: State): void {
  const { formatted, givenName, familyName } = state.name;
  const parts = [formatted, givenName, familyName].filter((part) => part !== undefined);
  if (state.displayNameGiven) {
    for (const part of parts) ignore(state, part.at, "displayName was given and wins over name.*");
    return;
  }
  const from = state.options.displayNameFrom ?? "name.formatted";
  if (from !== "name.formatted" && givenName !== undefined && familyName !== undefined) {
    state.changes.displayName =
      from === "givenName familyName"
        ? joinName(givenName.value, familyName.value)
        : joinName(familyName.value, givenName.value);
    if (formatted !== undefined)
      ignore(state, formatted.at, `displayNameFrom is "${from}"; name.formatted is not used`);
    return;
  }
  if (formatted !== undefined) state.changes.displayName = formatted.value;
  for (const part of [givenName, familyName]) {
    if (part === undefined) continue;
    const reason =
      from === "name.formatted"
        ? "UpdateUser has no given/family name fields; set ScimOptions.displayNameFrom to build the display name from them"
        : `displayNameFrom "${from}" needs both name.givenName and name.familyName`;
    ignore(state, part.at, reason);
  }
}

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
  const state: State = {
    options: { ...options, emailType: options.emailType ?? "work", phoneType: options.phoneType ?? "mobile" },
    customFieldMap: new Map(),
    changes: {},
    customFields: {},
    displayNameGiven: false,
    name: {},
    ignored: [],
    problems: [],
  };
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
