/**
 * EIAM user → SCIM User resource (RFC 7643 §4.1, §4.3). Custom fields come back through the same
 * `customFieldMap` that maps them in, so a value written as `…:enterprise:2.0:User:employeeNumber` reads back there.
 */
import type { EiamUser } from "../eiam/types.ts";
import { CORE_USER_SCHEMA } from "../formats/scim-path.ts";
import { isObject } from "../formats/types.ts";
import type { ResolvedScimOptions } from "./options.ts";

export const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

type Resource = Record<string, unknown>;

/** The weak ETag of a user: its EIAM update time (ms), else its creation time. */
export function userVersion(user: EiamUser): string | undefined {
  const stamp = user.UpdateTime ?? user.CreateTime;
  return stamp === undefined ? undefined : `W/"${stamp}"`;
}

function isoTime(ms: number | undefined): string | undefined {
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  return new Date(ms).toISOString();
}

/** Put `value` at the map key's SCIM path: `title`, `name.x`, `urn:…:attr`, `urn:…:attr.sub`. */
function place(resource: Resource, mapKey: string, value: string, extensions: Set<string>): void {
  let target = resource;
  let path = mapKey;
  if (mapKey.toLowerCase().startsWith("urn:")) {
    const colon = mapKey.lastIndexOf(":");
    let schema = mapKey.slice(0, colon);
    path = mapKey.slice(colon + 1);
    if (schema.toLowerCase() === ENTERPRISE_SCHEMA.toLowerCase()) schema = ENTERPRISE_SCHEMA;
    if (schema.toLowerCase() !== CORE_USER_SCHEMA) {
      extensions.add(schema);
      const existing = resource[schema];
      target = isObject(existing) ? existing : {};
      resource[schema] = target;
    }
  }
  const [attr, sub] = path.split(".", 2) as [string, string | undefined];
  // The enterprise `manager` is complex: its id sits in `.value`.
  const complex = sub === undefined && target !== resource && attr === "manager";
  if (sub === undefined && !complex) {
    target[attr] = value;
    return;
  }
  const existing = target[attr];
  const inner = isObject(existing) ? existing : {};
  inner[sub ?? "value"] = value;
  target[attr] = inner;
}

export function renderUser(user: EiamUser, options: ResolvedScimOptions): Resource {
  const extensions = new Set<string>();
  const resource: Resource = { schemas: [USER_SCHEMA], id: user.UserId };
  if (user.UserExternalId) resource.externalId = user.UserExternalId;
  resource.userName = user.Username ?? user.UserId;
  if (user.DisplayName) {
    resource.displayName = user.DisplayName;
    resource.name = { formatted: user.DisplayName };
  }
  if (user.Status === "enabled" || user.Status === "disabled") resource.active = user.Status === "enabled";
  if (user.Email) resource.emails = [{ value: user.Email, type: options.emailType ?? "work", primary: true }];
  if (user.PhoneNumber) {
    const value = user.PhoneRegion ? `+${user.PhoneRegion}${user.PhoneNumber}` : user.PhoneNumber;
    resource.phoneNumbers = [{ value, type: options.phoneType ?? "mobile", primary: true }];
  }
  const fields = new Map((user.CustomFields ?? []).map((field) => [field.FieldName, field.FieldValue]));
  for (const [mapKey, fieldName] of Object.entries(options.customFieldMap)) {
    const value = fields.get(fieldName);
    if (value !== undefined && value !== "") place(resource, mapKey, value, extensions);
  }
  resource.schemas = [USER_SCHEMA, ...extensions];
  const meta: Resource = { resourceType: "User", location: `${options.baseUrl}/Users/${user.UserId}` };
  const created = isoTime(user.CreateTime);
  const lastModified = isoTime(user.UpdateTime ?? user.CreateTime);
  if (created) meta.created = created;
  if (lastModified) meta.lastModified = lastModified;
  const version = userVersion(user);
  if (version) meta.version = version;
  resource.meta = meta;
  return resource;
}
