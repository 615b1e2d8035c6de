/** Validates SCIM answers against docs/scim-user.schema.json (written from RFC 7643/7644) with ajv. */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { expect } from "vitest";

const schema = JSON.parse(readFileSync(new URL("../../docs/scim-user.schema.json", import.meta.url), "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(schema, "scim");
const validateUser = ajv.getSchema("scim#/$defs/User")!;
const validateList = ajv.getSchema("scim#/$defs/ListResponse")!;
const validateError = ajv.getSchema("scim#/$defs/Error")!;

function check(validate: typeof validateUser, value: unknown, what: string): void {
  const ok = validate(value);
  expect(ok, `${what} is not valid: ${JSON.stringify(validate.errors)}\n${JSON.stringify(value)}`).toBe(true);
}

/** A User resource: valid, and every extension object it carries is named in `schemas` (RFC 7643 §3). */
export function expectScimUser(value: unknown): Record<string, unknown> {
  check(validateUser, value, "SCIM User");
  const user = value as Record<string, unknown>;
  const named = new Set(user.schemas as string[]);
  for (const key of Object.keys(user)) if (key.startsWith("urn:")) expect(named.has(key), key).toBe(true);
  return user;
}

export function expectScimList(value: unknown): {
  totalResults: number;
  Resources: Record<string, unknown>[];
} {
  check(validateList, value, "SCIM ListResponse");
  return value as { totalResults: number; Resources: Record<string, unknown>[] };
}

export function expectScimError(value: unknown): { status: string; scimType?: string; detail?: string } {
  check(validateError, value, "SCIM Error");
  return value as { status: string; scimType?: string; detail?: string };
}
