/**
 * Applying SCIM attribute assignments (from a PUT resource or PATCH operations) to the change being built:
 * the custom-field map first, then core attributes, then extensions. What UpdateUser cannot apply is reported.
 */
import type { Problem } from "../change.ts";
import type { ScimOptions } from "./scim-options.ts";
import { ENTERPRISE_USER_SCHEMA, parseScimPath, pathKey, type ScimPath, showPath } from "./scim-path.ts";
import { type IgnoredAttribute, isObject, problem } from "./types.ts";

export type Op = "add" | "replace" | "remove";

/** Protocol metadata and identity, not attributes to apply. */
export const METADATA = new Set(["schemas", "id", "meta", "externalid"]);

/** Why an attribute is not applied, by lower-cased core attribute name. */
const UNSUPPORTED_CORE: Record<string, string> = {
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

export interface State {
  options: Required<Pick<ScimOptions, "emailType" | "phoneType">> & ScimOptions;
  customFieldMap: Map<string, string>;
  changes: {
    username?: string;
    displayName?: string;
    email?: string;
    phone?: string;
    status?: "enabled" | "disabled";
  };
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

export function ignore(state: State, path: string, reason: string): void {
  state.ignored.push({ path, reason });
}

export function fail(state: State, path: string, code: string, message: string): void {
  state.problems.push(problem(path, code, message));
}

export function buildCustomFieldMap(map: Readonly<Record<string, string>>, state: State): void {
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
  if (attr === "active") {
    assignActive(state, value, op, at);
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

/** `active` → status (EnableUser / DisableUser). Entra ID sends the strings "True"/"False", others booleans. */
function assignActive(state: State, value: unknown, op: Op, at: string): void {
  if (op === "remove") {
    ignore(state, at, "removing active changes nothing: EIAM users are always enabled or disabled");
    return;
  }
  const text = typeof value === "string" ? value.trim().toLowerCase() : value;
  if (text === true || text === "true") state.changes.status = "enabled";
  else if (text === false || text === "false") state.changes.status = "disabled";
  else
    fail(
      state,
      at,
      "invalid_type",
      `active must be true or false, got ${JSON.stringify(value)?.slice(0, 40)}`,
    );
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
export function assign(state: State, path: ScimPath, value: unknown, op: Op, at: string): void {
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
export function assignAttributes(
  state: State,
  attributes: Record<string, unknown>,
  op: Op,
  prefix: string,
): void {
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
export function settleDisplayName(state: State): void {
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

export function createState(options: ScimOptions): State {
  return {
    options: { ...options, emailType: options.emailType ?? "work", phoneType: options.phoneType ?? "mobile" },
    customFieldMap: new Map(),
    changes: {},
    customFields: {},
    displayNameGiven: false,
    name: {},
    ignored: [],
    problems: [],
  };
}
