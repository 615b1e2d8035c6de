import type { CustomFieldDefinition } from "./custom-fields.ts";
import type { SeedOrganizationalUnit } from "./organizational-units.ts";
import type { SeedUser } from "./state.ts";

/** Turns untrusted admin-API JSON into typed seeds; every failure names the field. */

type Json = Record<string, unknown>;

function asObject(value: unknown, what: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error(`${what} must be a JSON object.`);
  return value as Json;
}

function optionalString(object: Json, key: string, what: string): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new Error(`${what}.${key} must be a string.`);
  return value;
}

function optionalBoolean(object: Json, key: string, what: string): boolean | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean") throw new Error(`${what}.${key} must be true or false.`);
  return value;
}

const SEED_STRING_KEYS = [
  "userId",
  "instanceId",
  "displayName",
  "description",
  "email",
  "phoneRegion",
  "phoneNumber",
  "userExternalId",
  "userSourceType",
  "userSourceId",
  "primaryOrganizationalUnitId",
] as const;
const SEED_BOOLEAN_KEYS = ["emailVerified", "phoneNumberVerified"] as const;
const SEED_KEYS = new Set<string>([
  ...SEED_STRING_KEYS,
  ...SEED_BOOLEAN_KEYS,
  "username",
  "status",
  "customFields",
  "organizationalUnitIds",
]);

export function parseSeedUser(value: unknown): SeedUser {
  const what = "user";
  const object = asObject(value, what);
  for (const key of Object.keys(object)) {
    if (!SEED_KEYS.has(key))
      throw new Error(`${what}.${key} is not a seed user field (known: ${[...SEED_KEYS].join(", ")}).`);
  }
  const username = optionalString(object, "username", what);
  if (username === undefined || username === "") throw new Error(`${what}.username is required.`);
  const seed: SeedUser = { username };
  for (const key of SEED_STRING_KEYS) {
    const text = optionalString(object, key, what);
    if (text !== undefined) seed[key] = text;
  }
  for (const key of SEED_BOOLEAN_KEYS) {
    const flag = optionalBoolean(object, key, what);
    if (flag !== undefined) seed[key] = flag;
  }
  const status = object.status;
  if (status !== undefined) {
    if (status !== "enabled" && status !== "disabled")
      throw new Error(`${what}.status must be "enabled" or "disabled".`);
    seed.status = status;
  }
  if (object.customFields !== undefined) {
    const fields = asObject(object.customFields, `${what}.customFields`);
    const customFields: Record<string, string> = {};
    for (const [name, fieldValue] of Object.entries(fields)) {
      if (typeof fieldValue !== "string") throw new Error(`${what}.customFields.${name} must be a string.`);
      customFields[name] = fieldValue;
    }
    seed.customFields = customFields;
  }
  const ous = object.organizationalUnitIds;
  if (ous !== undefined) {
    if (!Array.isArray(ous) || !ous.every((id) => typeof id === "string")) {
      throw new Error(`${what}.organizationalUnitIds must be a list of strings.`);
    }
    seed.organizationalUnitIds = ous;
  }
  return seed;
}

const OU_KEYS = ["organizationalUnitId", "instanceId", "name", "externalId", "parentId"] as const;

export function parseSeedOrganizationalUnit(value: unknown): SeedOrganizationalUnit {
  const what = "organizationalUnit";
  const object = asObject(value, what);
  for (const key of Object.keys(object)) {
    if (!(OU_KEYS as readonly string[]).includes(key)) {
      throw new Error(`${what}.${key} is not an organizational unit field (known: ${OU_KEYS.join(", ")}).`);
    }
  }
  const name = optionalString(object, "name", what);
  if (name === undefined || name === "") throw new Error(`${what}.name is required.`);
  const seed: SeedOrganizationalUnit = { name };
  for (const key of ["organizationalUnitId", "instanceId", "externalId", "parentId"] as const) {
    const text = optionalString(object, key, what);
    if (text !== undefined) seed[key] = text;
  }
  return seed;
}

export function parseCustomFieldDefinition(value: unknown): CustomFieldDefinition {
  const what = "customField";
  const object = asObject(value, what);
  for (const key of Object.keys(object)) {
    if (!["fieldName", "maxLength", "pattern"].includes(key)) {
      throw new Error(`${what}.${key} is not a custom field setting (known: fieldName, maxLength, pattern).`);
    }
  }
  const fieldName = optionalString(object, "fieldName", what);
  if (fieldName === undefined) throw new Error(`${what}.fieldName is required.`);
  const maxLength = object.maxLength;
  if (maxLength !== undefined && typeof maxLength !== "number")
    throw new Error(`${what}.maxLength must be a number.`);
  const pattern = optionalString(object, "pattern", what);
  return {
    fieldName,
    ...(maxLength !== undefined ? { maxLength } : {}),
    ...(pattern !== undefined ? { pattern } : {}),
  };
}
